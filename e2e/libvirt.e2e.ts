import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buttonName, chooseOption, login, setUpConsole, unexpectedErrors, visible } from './harness.ts';

/*
 * Issue 23 through the browser: the ops unit binds a provider's network zone to a KVM host (libvirt), sees it
 * listed with its credentials stored encrypted and never shown, and reads the host's capacity from libvirt.
 * The host is libvirt's built-in test driver (`test:///<node.xml>`, 32 CPUs and 64 GiB), no hypervisor needed.
 */

const ui = setUpConsole();
const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-libvirt-e2e-'));
const node = path.join(dir, 'node.xml');
writeFileSync(
  node,
  `<node>
  <cpu><mhz>2400</mhz><model>x86</model><active>32</active><total>32</total><nodes>1</nodes><sockets>2</sockets><cores>8</cores><threads>2</threads></cpu>
  <memory>67108864</memory>
  <network><name>ygnet</name><bridge name='ygbr0'/><ip address='10.77.0.1' netmask='255.255.255.0'><dhcp><range start='10.77.0.10' end='10.77.0.250'/></dhcp></ip></network>
  <pool type='dir'><name>ygpool</name><target><path>/var/lib/ygpool</path></target>
    <volume type='file'><name>base-os.qcow2</name><capacity unit='GiB'>1</capacity><target><format type='qcow2'/></target></volume>
  </pool>
</node>`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hypervisors (libvirt) in the console', () => {
  it('the ops unit binds a provider’s zone to a host, the password is never shown, and the host’s capacity is read', async () => {
    const { page } = ui;
    await ui.signedOut();
    await login(page, 'reviewer');
    await page.goto(ui.url('/inventory/libvirt'));
    await visible(page.getByText('还没有对接任何虚拟化平台'));
    await ui.shot('libvirt-empty-zh.png');

    await page.getByRole('button', { name: buttonName('添加对接') }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('云服务商').click();
    await chooseOption(page, '示范政务云服务商甲');
    await dialog.getByLabel('网络区域').fill('政务外网区');
    await dialog.getByLabel('主机名称').fill('kvm-01');
    await dialog.getByLabel('连接地址').fill(`test://${node}`);
    await dialog.getByLabel('登录用户名').fill('yunguan');
    await dialog.getByLabel('登录密码').fill('Kvm-Secret-2026');
    await dialog.getByLabel('存储池').fill('ygpool');
    await dialog.getByLabel('基础镜像卷').fill('base-os.qcow2');
    await dialog.getByLabel('虚拟网络').fill('ygnet');
    await dialog.getByLabel('虚拟化类型').click();
    await chooseOption(page, 'QEMU 软件模拟');
    await ui.shot('libvirt-form-zh.png');
    await dialog.getByRole('button', { name: buttonName('保存') }).click();
    await visible(page.getByText('已保存对接配置'));

    const row = page.getByRole('row', { name: /kvm-01/ });
    await visible(row);
    expect(await row.innerText()).toContain('政务外网区');
    expect(await row.innerText()).toContain('已保存（加密）');
    expect(await page.content()).not.toContain('Kvm-Secret-2026');
    await ui.shot('libvirt-zones-zh.png');

    await row.getByRole('button', { name: buttonName('查看容量') }).click();
    const capacity = page.getByRole('dialog');
    await visible(capacity.getByText('主机 32 个处理器核，按超分可分配 32 个虚拟处理器：已用 0，可用 32'));
    await visible(capacity.getByText('已用 0 GB，可用 64 GB，共 64 GB'));
    await ui.shot('libvirt-capacity-zh.png');
    expect(unexpectedErrors(ui.browserErrors)).toEqual([]);
  });
});
