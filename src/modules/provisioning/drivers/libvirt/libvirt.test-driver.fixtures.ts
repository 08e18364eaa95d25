// Test fixtures (not used by the application): the host libvirt's built-in test driver serves the driver's tests,
// `test:///<this file>`: 32 CPUs, 64 GiB, a NAT network with DHCP and a pool holding a 1 GiB qcow2 base image.

/** The test driver's node definition. */
export function testNodeXml() {
  return `<node>
  <cpu><mhz>2400</mhz><model>x86_64</model><active>32</active><total>32</total><nodes>1</nodes><sockets>2</sockets><cores>8</cores><threads>2</threads></cpu>
  <memory>67108864</memory>
  <network>
    <name>yg-net</name><bridge name='ygbr0'/><forward mode='nat'/>
    <ip address='10.77.0.1' netmask='255.255.255.0'><dhcp><range start='10.77.0.10' end='10.77.0.250'/></dhcp></ip>
  </network>
  <pool type='dir'>
    <name>yg-pool</name><target><path>/var/lib/yunguan-test/pool</path></target>
    <volume type='file'><name>base-os.qcow2</name><capacity unit='GiB'>1</capacity><target><format type='qcow2'/></target></volume>
  </pool>
</node>`;
}
