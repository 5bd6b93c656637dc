package com.joyent.mockcloud.triton;

import com.joyent.mockcloud.control.DaemonMetrics;
import com.joyent.mockcloud.http.OutboundHttp;
import com.joyent.mockcloud.util.Timer;
import java.util.concurrent.Executor;

/**
 * What every CN's {@code cnagent.CnapiReporter} shares, and nothing else uses: heartbeats first, by
 * construction (docs/concurrency.md). A heartbeat's timer fires on {@code timers}, its request
 * waits only at {@code gate} (heartbeats and the CNs' other CNAPI reports, never bulk work), it
 * travels and its answer is read on {@code http}'s own I/O thread, and the sysinfo and agents
 * messages that may stand before it in a CN's queue read their files on {@code files}. So a
 * saturated task pool, a VM sync, a changefeed flood or a large request body, each on other
 * threads, can slow a heartbeat only as far as they take the CPU away.
 *
 * @param http CNAPI client on an I/O thread of its own; failures complete on {@code timers}
 * @param gate the bound on the CNs' CNAPI reports in flight (lanes HEARTBEAT, then REPORT)
 * @param timers every reporter's delays and intervals: next heartbeat, status ticks, registration
 *     retries, heartbeat lag
 * @param files where sysinfo.json and the agents directory are read for a report
 * @param metrics where heartbeats are counted and their lag recorded
 */
public record CnapiReporting(OutboundHttp http, RequestGate gate, Timer timers, Executor files,
    DaemonMetrics metrics) {}
