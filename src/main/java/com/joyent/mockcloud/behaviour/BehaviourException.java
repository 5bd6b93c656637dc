package com.joyent.mockcloud.behaviour;

/** A behaviour file that does not parse or says something that cannot be done; the message says where. */
public final class BehaviourException extends Exception {
  public BehaviourException(String message) {
    super(message);
  }
}
