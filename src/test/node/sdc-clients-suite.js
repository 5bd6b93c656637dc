/*
 * Drives a running mockcloud sandbox with Joyent's sdc-clients, the client library Triton's
 * own APIs and tools use. Run by SdcClientsSuiteTest:
 *
 *   node sdc-clients-suite.js '{"cnapiUrl": ..., "vmapiUrl": ..., "napiUrl": ...,
 *                               "adminUuid": ..., "servers": [uuid, ...]}'
 *
 * Prints one JSON line per check ({"check", "ok", "error"?}) and exits 1 if any failed.
 */
'use strict';

var sdc = require('sdc-clients');
var crypto = require('crypto');
var util = require('util');

var cfg = JSON.parse(process.argv[2]);
var opts = function (url) {
    return { url: url, agent: false, retry: false, connectTimeout: 5000 };
};
var cnapi = new sdc.CNAPI(opts(cfg.cnapiUrl));
var vmapi = new sdc.VMAPI(opts(cfg.vmapiUrl));
var napi = new sdc.NAPI(opts(cfg.napiUrl));
var OTHER_OWNER = '0f0f0f0f-0000-4000-8000-0000000000aa';

/* Each sdc-clients call as a promise of its result; the error keeps statusCode and restCode. */
function call(client, method) {
    var args = Array.prototype.slice.call(arguments, 2);
    return new Promise(function (resolve, reject) {
        args.push(function (err, result) {
            if (err) {
                reject(err);
            } else {
                resolve(result);
            }
        });
        client[method].apply(client, args);
    });
}

/* The restify error an expected failure carries: {statusCode, restCode, message, body}. */
function failure(promise) {
    return promise.then(function (r) {
        throw new Error('expected an error, got ' + JSON.stringify(r));
    }, function (err) {
        return { statusCode: err.statusCode, restCode: err.restCode || (err.body && err.body.code),
            message: err.message, body: err.body };
    });
}

function check(cond, what) {
    if (!cond) {
        throw new Error(what);
    }
}

function eq(actual, expected, what) {
    var a = JSON.stringify(actual);
    var e = JSON.stringify(expected);
    check(a === e, what + ': expected ' + e + ', got ' + a);
}

function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
}

async function until(what, fn) {
    var deadline = Date.now() + 30000;
    for (;;) {
        var v = await fn();
        if (v) {
            return v;
        }
        if (Date.now() > deadline) {
            throw new Error('timed out waiting for ' + what);
        }
        await sleep(200);
    }
}

var server = cfg.servers[0];
var vmA = crypto.randomUUID();
var vmB = crypto.randomUUID();
var both = [vmA, vmB].join(',');
var run = vmA.slice(0, 8); // so the suite can run again against the same sandbox
var checks = [];

function test(name, fn) {
    checks.push({ name: name, fn: fn });
}

async function createVmThroughCnapi(uuid, ram, tags) {
    var accepted = await call(cnapi, 'createVm', server, {
        uuid: uuid, brand: 'joyent-minimal', owner_uuid: cfg.adminUuid, ram: ram, alias: 'suite-' + ram,
        image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', nics: [], tags: tags
    });
    check(accepted.id, 'CNAPI createVm answers a task id');
    var task = await call(cnapi, 'waitTask', accepted.id, { timeout: 30 });
    eq(task.status, 'complete', 'machine_create task status');
    return until('VM ' + uuid + ' running in VMAPI', async function () {
        var vm = await call(vmapi, 'getVm', { uuid: uuid }).catch(function () { return null; });
        return vm && vm.state === 'running' ? vm : null;
    });
}

test('CNAPI ping, listServers and getServer with capacity', async function () {
    await call(cnapi, 'ping');
    var servers = await call(cnapi, 'listServers', {});
    cfg.servers.forEach(function (u) {
        check(servers.some(function (s) { return s.uuid === u; }), 'listServers has ' + u);
    });
    var s = await call(cnapi, 'getServer', server);
    eq(s.status, 'running', 'getServer status');
    check(typeof (s.unreserved_ram) === 'number', 'getServer has unreserved_ram');
    var cap = await call(cnapi, 'capacity', [server]);
    eq(Object.keys(cap.capacities), [server], 'capacity of the asked server');
    eq(cap.capacities[server].ram, s.unreserved_ram, 'capacity ram is unreserved_ram');
    var platforms = await call(cnapi, 'listPlatforms');
    check(platforms[s.current_platform], 'listPlatforms has the server\'s platform ' + s.current_platform);
});

test('CNAPI createVm + waitTask, VM reaches VMAPI through vm-agent', async function () {
    var a = await createVmThroughCnapi(vmA, 128, { role: 'web' + run, tier: 1 });
    eq(a.server_uuid, server, 'VM server_uuid');
    await createVmThroughCnapi(vmB, 256, { role: 'db' + run });
});

test('CNAPI VmList (GET /servers/:uuid/vms) and a 404 for an unknown server', async function () {
    var vms = await new Promise(function (resolve, reject) {
        cnapi.get(util.format('/servers/%s/vms', server), function (err, obj) {
            return err ? reject(err) : resolve(obj);
        });
    });
    check(vms.some(function (v) { return v.uuid === vmA; }), 'VmList has the VM');
    eq(Object.keys(vms[0]).sort(), ['brand', 'cpu_cap', 'last_modified', 'max_physical_memory', 'owner_uuid',
        'quota', 'state', 'uuid', 'zone_state'], 'VmList fields');
    var missing = await failure(call(cnapi, 'getServer', OTHER_OWNER));
    eq(missing.statusCode, 404, 'unknown server');
    eq(missing.restCode, 'ResourceNotFound', 'unknown server code');
});

test('VMAPI listVms filters: server_uuid, uuids, tag, predicate, ram, alias, fields, sort', async function () {
    var onServer = await call(vmapi, 'listVms', { server_uuid: server, state: 'active' });
    check(onServer.length >= 2, 'listVms server_uuid finds both VMs');
    var byUuids = await call(vmapi, 'listVms', { uuids: both });
    eq(byUuids.map(function (v) { return v.uuid; }).sort(), [vmA, vmB].sort(), 'uuids');
    eq((await call(vmapi, 'listVms', { 'tag.role': 'web' + run })).map(function (v) { return v.uuid; }), [vmA],
        'tag.role');
    eq((await call(vmapi, 'listVms', { 'tag.tier': '1', uuids: both })).map(function (v) { return v.uuid; }), [vmA],
        'tag.tier');
    var pred = JSON.stringify({ and: [ { eq: ['server_uuid', server] }, { ge: ['ram', 200] },
        { or: [ { eq: ['uuid', vmA] }, { eq: ['uuid', vmB] } ] } ] });
    eq((await call(vmapi, 'listVms', { predicate: pred })).map(function (v) { return v.uuid; }), [vmB], 'predicate');
    eq((await call(vmapi, 'listVms', { ram: '128', alias: 'suite', uuids: both })).map(function (v) { return v.uuid; }), [vmA],
        'ram and alias');
    var fields = await call(vmapi, 'listVms', { uuid: vmA, fields: 'uuid,state' });
    eq(fields, [ { uuid: vmA, state: 'running' } ], 'fields');
    var sorted = await call(vmapi, 'listVms', { uuids: both, sort: 'max_physical_memory.desc' });
    eq(sorted.map(function (v) { return v.uuid; }), [vmB, vmA], 'sort');
});

test('VMAPI countVms (HEAD /vms)', async function () {
    eq(await call(vmapi, 'countVms', { uuids: both }), 2, 'countVms');
    eq(await call(vmapi, 'countVms', { 'tag.role': 'nobody' }), 0, 'countVms of nothing');
});

test('VMAPI getVm: owner_uuid must own it, fields pick keys', async function () {
    var own = await call(vmapi, 'getVm', { uuid: vmA, owner_uuid: cfg.adminUuid });
    eq(own.uuid, vmA, 'getVm by its owner');
    var other = await failure(call(vmapi, 'getVm', { uuid: vmA, owner_uuid: OTHER_OWNER }));
    eq([other.statusCode, other.restCode, other.message], [404, 'ResourceNotFound', 'VM not found'],
        'getVm of another owner');
    eq(await call(vmapi, 'getVm', { uuid: vmA, fields: 'uuid,state' }), { uuid: vmA, state: 'running' },
        'getVm fields');
});

test('VMAPI error bodies: unknown parameter, bad predicate', async function () {
    var unknown = await failure(call(vmapi, 'listVms', { colour: 'red' }));
    eq([unknown.statusCode, unknown.restCode], [409, 'ValidationFailed'], 'unknown parameter');
    eq(unknown.body.errors, [ { field: 'colour', code: 'Invalid', message: 'Invalid parameter' } ],
        'unknown parameter errors');
    var bad = await failure(call(vmapi, 'listVms', { predicate: '{"lq": ["ram", 1]}' }));
    eq(bad.body.errors, [ { field: 'predicate', code: 'Invalid',
        message: 'Predicate syntax error: Error: invalid key: lq' } ], 'bad predicate');
});

test('NAPI: reserved addresses, listIPs, getIP, no resolver handed out', async function () {
    var nets = await call(napi, 'listNetworks', { name: 'admin' });
    eq(nets.length, 1, 'one admin network');
    var admin = nets[0];
    var resolver = admin.resolvers[0];
    var ips = await call(napi, 'listIPs', admin.uuid, {});
    var r = ips.filter(function (ip) { return ip.ip === resolver; })[0];
    check(r && r.reserved === true && r.free === false && r.belongs_to_type === 'other',
        'the resolver is reserved: ' + JSON.stringify(r));
    for (var i = 0; i < cfg.servers.length; i++) {
        var s = await call(cnapi, 'getServer', cfg.servers[i]);
        check(s.sysinfo['Admin IP'] !== resolver, 'server ' + s.uuid + ' was given the resolver');
    }
    var free = await call(napi, 'getIP', admin.uuid, '10.99.200.200');
    eq([free.reserved, free.free], [false, true], 'a free address');
    var nic = await call(napi, 'provisionNic', admin.uuid, { belongs_to_type: 'other',
        belongs_to_uuid: cfg.adminUuid, owner_uuid: cfg.adminUuid });
    check(nic.ip !== resolver && nic.ip !== admin.gateway, 'provisionNic gave ' + nic.ip);
    await call(napi, 'deleteNic', nic.mac);
});

test('NAPI network pools: create, list, provision on one, delete', async function () {
    var admin = (await call(napi, 'listNetworks', { name: 'admin' }))[0];
    var pool = await call(napi, 'createNetworkPool', 'suite-' + run, { networks: [admin.uuid] });
    eq([pool.name, pool.networks, pool.nic_tag], ['suite-' + run, [admin.uuid], 'admin'], 'created pool');
    var listed = await call(napi, 'listNetworkPools', { name: 'suite-' + run });
    eq(listed.map(function (p) { return p.uuid; }), [pool.uuid], 'listNetworkPools by name');
    var nic = await call(napi, 'provisionNic', pool.uuid, { belongs_to_type: 'other',
        belongs_to_uuid: cfg.adminUuid, owner_uuid: cfg.adminUuid });
    eq(nic.network_uuid, admin.uuid, 'a NIC on the pool lands on its network');
    await call(napi, 'deleteNic', nic.mac);
    await call(napi, 'deleteNetworkPool', pool.uuid);
    var gone = await failure(call(napi, 'getNetworkPool', pool.uuid));
    eq(gone.statusCode, 404, 'deleted pool');
});

async function jobEnds(jobUuid) {
    return until('job ' + jobUuid + ' to end', async function () {
        var job = await call(vmapi, 'getJob', jobUuid);
        return job.execution === 'succeeded' || job.execution === 'failed' ? job : null;
    });
}

/*
 * createVm, then getJob until it ends. (sdc-clients' createVmAndWait reads the workflow-api
 * header from the request object it is handed, not the response, and falls back on
 * workflow.<domain> of a vmapi.<domain> URL: against a VMAPI on an IP it cannot work.)
 */
test('VMAPI provision, stop, start, delete as jobs; listJobs', async function () {
    var created = await call(vmapi, 'createVm', { owner_uuid: cfg.adminUuid, brand: 'joyent-minimal',
        image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', networks: ['admin'], ram: 128, alias: 'jobs-' + run });
    var job = await jobEnds(created.job_uuid);
    eq([job.name, job.execution], ['provision-8.2.4', 'succeeded'], 'provision job');
    eq(job.params.vm_uuid, created.vm_uuid, 'the job is the VM\'s');
    var uuid = job.params.vm_uuid;
    eq((await call(vmapi, 'getVm', { uuid: uuid })).state, 'running', 'provisioned VM state');

    var stop = await call(vmapi, 'stopVm', { uuid: uuid, owner_uuid: cfg.adminUuid });
    check(stop.job_uuid && stop.vm_uuid === uuid, 'stopVm answers {vm_uuid, job_uuid}');
    eq((await jobEnds(stop.job_uuid)).execution, 'succeeded', 'stop job');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).state, 'stopped', 'stopped VM state');
    var again = await jobEnds((await call(vmapi, 'stopVm', { uuid: uuid })).job_uuid);
    eq(again.chain_results[again.chain_results.length - 1].error,
        { name: 'Error', message: 'Cannot stop a VM from a \'stopped\' state' }, 'stopping a stopped VM');

    eq((await jobEnds((await call(vmapi, 'startVm', { uuid: uuid })).job_uuid)).execution, 'succeeded', 'start');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).state, 'running', 'started VM state');
    eq((await jobEnds((await call(vmapi, 'deleteVm', { uuid: uuid })).job_uuid)).execution, 'succeeded', 'delete');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).state, 'destroyed', 'deleted VM state');

    var jobs = await call(vmapi, 'listJobs', { vm_uuid: uuid });
    eq(jobs.map(function (j) { return j.params.task; }), ['destroy', 'start', 'stop', 'stop', 'provision'],
        'listJobs of the VM, newest first');
    var missing = await failure(call(vmapi, 'createVm', { owner_uuid: cfg.adminUuid }));
    eq([missing.statusCode, missing.restCode], [409, 'ValidationFailed'], 'createVm without the required fields');
});

test('VMAPI update, snapshots, reprovision and NICs as jobs', async function () {
    var created = await call(vmapi, 'createVm', { owner_uuid: cfg.adminUuid, brand: 'joyent-minimal',
        image_uuid: '2b683a82-a066-11e3-97ab-2faa44701c5a', networks: ['admin'], ram: 128,
        alias: 'changes-' + run, tags: { role: 'web', tier: 1 } });
    var uuid = created.vm_uuid;
    eq((await jobEnds(created.job_uuid)).execution, 'succeeded', 'provision');

    var upd = await jobEnds((await call(vmapi, 'updateVm', { uuid: uuid, owner_uuid: cfg.adminUuid,
        payload: { alias: 'changed-' + run, ram: 256, tags: { role: 'db' } } })).job_uuid);
    eq([upd.name, upd.execution, upd.params.subtask], ['update-7.1.10', 'succeeded', 'resize'], 'update job');
    var vm = await call(vmapi, 'getVm', { uuid: uuid });
    eq([vm.alias, vm.max_physical_memory, vm.tags], ['changed-' + run, 256, { role: 'db' }], 'updated VM');
    var empty = await failure(call(vmapi, 'updateVm', { uuid: uuid, payload: {} }));
    eq([empty.statusCode, empty.restCode, empty.message], [409, 'ValidationFailed', 'No VM parameters provided'],
        'an update with nothing to change');
    var other = await failure(call(vmapi, 'updateVm', { uuid: uuid, owner_uuid: OTHER_OWNER,
        payload: { alias: 'x' } }));
    eq(other.statusCode, 404, 'updating another owner\'s VM');

    var snap = await jobEnds((await call(vmapi, 'snapshotVm', { uuid: uuid, name: 'first' })).job_uuid);
    eq([snap.name, snap.execution], ['snapshot-7.0.4', 'succeeded'], 'snapshot job');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).snapshots.map(function (x) { return x.name; }), ['first'],
        'the VM\'s snapshots');
    var rb = await jobEnds((await call(vmapi, 'rollbackVm', { uuid: uuid, name: 'first' })).job_uuid);
    eq([rb.name, rb.execution], ['rollback-7.0.5', 'succeeded'], 'rollback job');
    var del = await jobEnds((await call(vmapi, 'deleteSnapshot', { uuid: uuid, name: 'first' })).job_uuid);
    eq([del.name, del.execution], ['delete-snapshot-7.0.4', 'succeeded'], 'delete-snapshot job');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).snapshots, [], 'no snapshots left');

    var image = 'fd2cc906-8938-11e3-beab-4359c665ac99';
    var rp = await jobEnds((await call(vmapi, 'reprovisionVm', { uuid: uuid, image_uuid: image })).job_uuid);
    eq([rp.name, rp.execution], ['reprovision-7.0.4', 'succeeded'], 'reprovision job');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).image_uuid, image, 'reprovisioned image');

    var before = (await call(vmapi, 'getVm', { uuid: uuid })).nics.map(function (n) { return n.mac; });
    var add = await jobEnds((await call(vmapi, 'addNics', { uuid: uuid, networks: ['admin'] })).job_uuid);
    eq([add.name, add.execution], ['add-nics-7.3.1', 'succeeded'], 'add-nics job');
    var nics = (await call(vmapi, 'getVm', { uuid: uuid })).nics;
    eq(nics.length, 2, 'NICs after add_nics');
    var added = nics.filter(function (n) { return before.indexOf(n.mac) === -1; })[0];
    eq((await call(napi, 'getNic', added.mac)).belongs_to_uuid, uuid, 'the new NIC in NAPI');
    var un = await jobEnds((await call(vmapi, 'updateNics', { uuid: uuid,
        nics: [{ mac: added.mac, primary: true }] })).job_uuid);
    eq([un.name, un.execution], ['update-nics-7.0.5', 'succeeded'], 'update-nics job');
    eq((await call(napi, 'getNic', added.mac)).primary, true, 'the NIC made primary in NAPI');
    var rm = await jobEnds((await call(vmapi, 'removeNics', { uuid: uuid, macs: before })).job_uuid);
    eq([rm.name, rm.execution], ['remove-nics-7.0.7', 'succeeded'], 'remove-nics job');
    eq((await call(vmapi, 'getVm', { uuid: uuid })).nics.map(function (n) { return n.mac; }), [added.mac],
        'NICs after remove_nics');
    var gone = await failure(call(napi, 'getNic', before[0]));
    eq(gone.statusCode, 404, 'the removed NIC left NAPI');
    eq((await jobEnds((await call(vmapi, 'deleteVm', { uuid: uuid })).job_uuid)).execution, 'succeeded', 'delete');
});

test('CNAPI updateNics and rebootServer as jobs, read from the workflow API', async function () {
    var adminNics = await until('net-agent to claim the server\'s admin NIC', async function () {
        var nics = await call(napi, 'listNics', { belongs_to_uuid: server, belongs_to_type: 'server',
            nic_tags_provided: 'admin' });
        return nics.length ? nics : null;
    });
    var mac = adminNics[0].mac;
    var tag = 'suite' + run;
    var noTag = await jobEnds((await call(cnapi, 'updateNics', server,
        { action: 'update', nics: [{ mac: mac, nic_tags_provided: [tag] }] })).job_uuid);
    eq([noTag.execution, noTag.chain_results[noTag.chain_results.length - 1].name], ['failed', 'napi.update_nics'],
        'a tag NAPI does not have fails the job in NAPI');
    await call(napi, 'createNicTag', tag);
    var accepted = await call(cnapi, 'updateNics', server,
        { action: 'update', nics: [{ mac: mac, nic_tags_provided: [tag] }] });
    check(accepted.job_uuid, 'updateNics answers {job_uuid}');
    var job = await jobEnds(accepted.job_uuid);
    eq([job.name, job.execution], ['server-update-nics-1.0.1', 'succeeded'], 'server-update-nics job');
    check((await call(napi, 'getNic', mac)).nic_tags_provided.indexOf(tag) !== -1, 'the tag on the NAPI NIC');
    var sysinfo = (await call(cnapi, 'getServer', server)).sysinfo;
    var names = Object.keys(sysinfo['Network Interfaces']).map(function (k) {
        return sysinfo['Network Interfaces'][k];
    }).filter(function (n) { return n['MAC Address'] === mac; })[0]['NIC Names'];
    check(names.indexOf(tag) !== -1, 'the tag in the CN\'s sysinfo, through the task');
    var undo = await call(cnapi, 'updateNics', server,
        { action: 'delete', nics: [{ mac: mac, nic_tags_provided: [tag] }] });
    eq((await jobEnds(undo.job_uuid)).execution, 'succeeded', 'deleting the tag again');
    var bad = await failure(call(cnapi, 'updateNics', server, { action: 'frob', nics: [] }));
    eq([bad.statusCode, bad.restCode], [500, 'InvalidParameters'], 'updateNics with an unknown action');

    var reboot = await call(cnapi, 'rebootServer', server);
    check(reboot.job_uuid, 'rebootServer answers {job_uuid}');
    var rj = await jobEnds(reboot.job_uuid);
    eq([rj.name, rj.execution], ['server-reboot-1.2.0', 'succeeded'], 'server-reboot job');
    eq((await call(cnapi, 'getServer', server)).transitional_status, 'rebooting', 'marked as rebooting');
});

test('NAPI createNetwork, updateNetwork, updateIP, deleteNetwork', async function () {
    var name = 'suite-net-' + run;
    var third = 100 + (parseInt(run, 16) % 100);
    var prefix = '10.' + third + '.7.';
    var net = await call(napi, 'createNetwork', { name: name, nic_tag: 'external', vlan_id: 7,
        subnet: prefix + '0/24', provision_start_ip: prefix + '10', provision_end_ip: prefix + '200',
        gateway: prefix + '1', resolvers: [prefix + '2'] });
    eq([net.name, net.mtu, net.netmask, net.gateway], [name, 1500, '255.255.255.0', prefix + '1'], 'created network');
    eq((await call(napi, 'getIP', net.uuid, prefix + '1')).reserved, true, 'the gateway is reserved');
    var dup = await failure(call(napi, 'createNetwork', { name: name, nic_tag: 'external', vlan_id: 7,
        subnet: prefix + '0/24', provision_start_ip: prefix + '10', provision_end_ip: prefix + '200' }));
    eq([dup.statusCode, dup.restCode, dup.message], [422, 'InvalidParameters', 'name is in use by another network'],
        'a second network of that name');
    var upd = await call(napi, 'updateNetwork', net.uuid, { description: 'suite', provision_start_ip: prefix + '50' });
    eq([upd.description, upd.provision_start_ip], ['suite', prefix + '50'], 'updated network');
    var ip = await call(napi, 'updateIP', net.uuid, prefix + '50', { reserved: true });
    eq([ip.reserved, ip.free], [true, false], 'a reserved IP');
    var nic = await call(napi, 'provisionNic', net.uuid, { owner_uuid: cfg.adminUuid,
        belongs_to_uuid: OTHER_OWNER, belongs_to_type: 'zone' });
    eq(nic.ip, prefix + '51', 'provisioning skips the reserved IP');
    var busy = await failure(call(napi, 'deleteNetwork', net.uuid));
    eq([busy.statusCode, busy.restCode], [422, 'InUse'], 'deleting a network with a NIC');
    await call(napi, 'deleteNic', nic.mac);
    await call(napi, 'deleteNetwork', net.uuid);
    var gone = await failure(call(napi, 'getNetwork', net.uuid));
    eq(gone.statusCode, 404, 'deleted network');
});

/* A PUT through the client's generic put (sdc-clients has no factoryReset): {status, body}. */
function put(client, path, body) {
    return new Promise(function (resolve, reject) {
        client.put(path, body, function (err, obj, req, res) {
            if (err && !res) {
                reject(err);
            } else {
                resolve({ status: res.statusCode, body: obj });
            }
        });
    });
}

test('CNAPI factory reset, then setupServer, as jobs', async function () {
    var idle = null;
    for (var i = 0; i < cfg.servers.length && !idle; i++) {
        var s = await call(cnapi, 'getServer', cfg.servers[i]);
        if (Object.keys(s.vms || {}).length === 0) {
            idle = s;
        }
    }
    check(idle, 'a server without VMs to reset');
    var reset = await put(cnapi, '/servers/' + idle.uuid + '/factory-reset', {});
    eq(reset.status, 202, 'factory-reset answers 202');
    var rj = await jobEnds(reset.body.job_uuid);
    eq([rj.name, rj.execution], ['server-factory-reset-1.0.0', 'succeeded'], 'server-factory-reset job');
    await until('the server back not set up', async function () {
        return (await call(cnapi, 'getServer', idle.uuid)).setup === false ? true : null;
    });
    var setup = await call(cnapi, 'setupServer', idle.uuid, { hostname: 'suite-' + run });
    check(setup.job_uuid, 'setupServer answers {job_uuid}');
    var sj = await jobEnds(setup.job_uuid);
    eq([sj.name, sj.execution], ['server-setup-1.1.0', 'succeeded'], 'server-setup job');
    var after = await call(cnapi, 'getServer', idle.uuid);
    eq([after.setup, after.hostname, after.sysinfo.Hostname, after.status], [true, 'suite-' + run, 'suite-' + run,
        'running'], 'set up again under the new hostname');
    var again = await put(cnapi, '/servers/' + idle.uuid + '/setup', {});
    eq(again.status, 204, 'setup of a set-up server');
});

(async function main() {
    var failed = 0;
    for (var i = 0; i < checks.length; i++) {
        var c = checks[i];
        try {
            await c.fn();
            console.log(JSON.stringify({ check: c.name, ok: true }));
        } catch (e) {
            failed++;
            console.log(JSON.stringify({ check: c.name, ok: false, error: String(e && e.stack || e) }));
        }
    }
    [cnapi, vmapi, napi].forEach(function (c) { c.close(); });
    process.exit(failed ? 1 : 0);
})();
