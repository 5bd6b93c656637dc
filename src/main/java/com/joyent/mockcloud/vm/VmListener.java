package com.joyent.mockcloud.vm;

/**
 * Receives the change events of one server, in the order the changes were made (per server).
 * Called on the store's event executor, one event at a time per server; a listener must return
 * quickly and never block on another server's work. An exception is logged and the next event
 * still delivered.
 */
@FunctionalInterface
public interface VmListener {
  void onEvent(VmEvent event);
}
