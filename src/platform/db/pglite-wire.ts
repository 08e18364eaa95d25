import { messages, type PGlite, protocol } from '@electric-sql/pglite';

// A prepared statement's execution on PGlite without PGlite's message objects (docs/decisions.md, issue 21, lane
// gate25). PGlite's own protocol path turns every answer into objects: a fresh ArrayBuffer for every value and every
// column name (`buffer.slice` then a decode), a row built by `Object.fromEntries` over arrays, a serializer that
// allocates a new buffer at every flush, and a filesystem sync behind its mutex after every call. On a data gateway
// call that was as much CPU as PostgreSQL's own work in the WebAssembly, and most of the garbage a call leaves (whose
// young-generation collections are the gateway's tail latency). Here the request is written into one reused buffer,
// the answer is copied into another as it comes (`execProtocolRawStream`, PGlite's public raw interface) and read in
// place: values decoded straight from the buffer, rows described once per statement. An answer holding an error is
// handed to PGlite's own parser, so the error thrown is PGlite's DatabaseError as before.

/** A column of a prepared statement's result: its name and type (the parser PGlite applies). */
export interface WireField {
  name: string;
  typeId: number;
}

const EXECUTE_SYNC = new Uint8Array([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);
const encoder = new TextEncoder();
const INITIAL_BYTES = 16 * 1024;
const MAX_KEPT_BYTES = 1024 * 1024;

/** Bytes that grow when needed and are reused from call to call (one session, one call at a time). */
class Bytes {
  buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  length = 0;
  shrink(): void {
    if (this.buffer.length > MAX_KEPT_BYTES) this.buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  }
  ensure(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + more));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/**
 * One PGlite session's wire: bind, execute and sync of a named statement in one protocol call, the answer read in
 * place. The caller holds PGlite's lock (runExclusive) around `execute`.
 */
export class PGliteWire {
  private readonly out = new Bytes();
  private readonly answer = new Bytes();
  private readonly collect = (chunk: Uint8Array) => {
    const a = this.answer;
    a.ensure(chunk.length);
    a.buffer.set(chunk, a.length);
    a.length += chunk.length;
  };

  constructor(private readonly pglite: PGlite) {}

  /**
   * Runs the statement `name` (parsed and described before) with its values already serialized (strings in text
   * format, bytes in binary), and returns its rows as objects and the rows it changed, as PGlite's `parseResults`
   * would. Throws PGlite's DatabaseError when the server answers an error.
   */
  async execute<R>(
    name: string,
    values: readonly (string | Uint8Array | null)[],
    fields: readonly WireField[],
  ): Promise<{ rows: R[]; affectedRows: number }> {
    const request = this.bind(name, values);
    this.answer.length = 0;
    try {
      await this.pglite.execProtocolRawStream(request, { syncToFs: false, onRawData: this.collect });
      return this.read<R>(fields);
    } finally {
      // a rare large answer or request does not keep its buffer for the session's life
      this.answer.shrink();
      this.out.shrink();
    }
  }

  private bind(name: string, values: readonly (string | Uint8Array | null)[]): Uint8Array {
    const out = this.out;
    out.length = 0;
    // 'B', length, portal "", statement name, parameter formats, parameters, one result format (text)
    let upper = 5 + 1 + name.length * 3 + 1 + 2 + values.length * 2 + 2 + 2 + 2 + EXECUTE_SYNC.length;
    for (const v of values) upper += 4 + (v === null ? 0 : typeof v === 'string' ? v.length * 3 : v.length);
    out.ensure(upper);
    const b = out.buffer;
    let at = 0;
    b[at++] = 0x42;
    at += 4; // length, written last
    b[at++] = 0; // unnamed portal
    at += encoder.encodeInto(name, b.subarray(at)).written;
    b[at++] = 0;
    at = b.writeInt16BE(values.length, at);
    for (const v of values) at = b.writeInt16BE(v instanceof Uint8Array ? 1 : 0, at);
    at = b.writeInt16BE(values.length, at);
    for (const v of values) {
      if (v === null) {
        at = b.writeInt32BE(-1, at);
        continue;
      }
      const start = at + 4;
      let written = v.length;
      if (typeof v === 'string') written = encoder.encodeInto(v, b.subarray(start)).written;
      else b.set(v, start);
      b.writeInt32BE(written, at);
      at = start + written;
    }
    at = b.writeInt16BE(1, at);
    at = b.writeInt16BE(0, at);
    b.writeInt32BE(at - 1, 1);
    b.set(EXECUTE_SYNC, at);
    at += EXECUTE_SYNC.length;
    return b.subarray(0, at);
  }

  private read<R>(fields: readonly WireField[]): { rows: R[]; affectedRows: number } {
    const { buffer: b, length } = this.answer;
    const parsers = this.pglite.parsers;
    const rows: R[] = [];
    let affectedRows = 0;
    let at = 0;
    while (at + 5 <= length) {
      const code = b[at] as number;
      const end = at + 1 + b.readInt32BE(at + 1);
      let p = at + 5;
      if (code === 0x44) {
        // DataRow: the values in the order of the statement's columns, text format
        const count = b.readInt16BE(p);
        p += 2;
        const row: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const size = b.readInt32BE(p);
          p += 4;
          const field = fields[i] as WireField;
          if (size < 0) {
            row[field.name] = null;
            continue;
          }
          const text = b.toString('utf8', p, p + size);
          p += size;
          const parse = parsers[field.typeId];
          row[field.name] = parse ? parse(text, field.typeId) : text;
        }
        rows.push(row as R);
      } else if (code === 0x43) {
        // CommandComplete: "INSERT 0 1", "UPDATE 3", "SELECT 1"...
        const tag = b.toString('latin1', p, end - 1);
        const verb = tag.slice(0, tag.indexOf(' '));
        if (verb === 'INSERT' || verb === 'UPDATE' || verb === 'DELETE' || verb === 'COPY' || verb === 'MERGE') {
          affectedRows += Number.parseInt(tag.slice(tag.lastIndexOf(' ') + 1), 10) || 0;
        }
      } else if (code === 0x45) {
        throw this.error();
      }
      at = end;
    }
    return { rows, affectedRows };
  }

  /** The answer's error as PGlite reports it: its own parser's DatabaseError. */
  private error(): Error {
    let found: Error | undefined;
    new protocol.Parser().parse(this.answer.buffer.subarray(0, this.answer.length), (message) => {
      if (!found && message instanceof messages.DatabaseError) found = message;
    });
    return found ?? new Error('the embedded database answered an error that could not be read');
  }
}
