package com.joyent.mockcloud.json;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/** JSON.stringify's escaping: short escapes where JS has them, otherwise lowercase "\\u00xx". */
final class JsCharacterEscapes extends CharacterEscapes {
  private static final int[] ESCAPES;
  private static final SerializableString[] CONTROL = new SerializableString[32];

  static {
    ESCAPES = CharacterEscapes.standardAsciiEscapesForJSON();
    for (int c = 0; c < 32; c++) {
      switch (c) {
        case '\b', '\f', '\n', '\r', '\t' -> { } // standard short escapes
        default -> {
          ESCAPES[c] = CharacterEscapes.ESCAPE_CUSTOM;
          CONTROL[c] = new SerializedString(String.format("\\u%04x", c));
        }
      }
    }
  }

  @Override
  public int[] getEscapeCodesForAscii() {
    return ESCAPES;
  }

  @Override
  public SerializableString getEscapeSequence(int ch) {
    return ch < 32 ? CONTROL[ch] : null;
  }
}
