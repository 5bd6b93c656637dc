/**
 * The VM store: every mock CN's VMs as {@code <server dir>/vms/<vm_uuid>.json}, with vmadm's
 * semantics (node-vmadm's dummy backend, with the recommended real-vmadm deviations D1–D15 of
 * spec vmadm-and-vm-agent.md §7) and vminfod's in-memory view and change events, in-process.
 *
 * <p>Public surface: {@link com.joyent.mockcloud.vm.VmStore} (one per process: open/close
 * servers, shared threads and watcher), {@link com.joyent.mockcloud.vm.ServerVms} (one per CN:
 * load, lookup, exists, create, update, start/stop/reboot/kill, info, snapshots, reprovision,
 * delete, subscribe), {@link com.joyent.mockcloud.vm.VmException} (restCode + message),
 * {@link com.joyent.mockcloud.vm.VmEvent}/{@link com.joyent.mockcloud.vm.VmChange}/
 * {@link com.joyent.mockcloud.vm.VmListener}/{@link com.joyent.mockcloud.vm.Subscription}
 * (events), {@link com.joyent.mockcloud.vm.ServerIdentity} (the sysinfo values of a view),
 * {@link com.joyent.mockcloud.vm.MachineCreatePayload} (cn-agent's create mapping),
 * {@link com.joyent.mockcloud.vm.VmUpdate} (update rules as a pure function) and
 * {@link com.joyent.mockcloud.vm.VmFileSystem} (the disk seam). Everything else is
 * package-private machinery. See docs/vm-store.md.
 */
package com.joyent.mockcloud.vm;
