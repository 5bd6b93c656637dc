package com.joyent.mockcloud.fast;

/**
 * The checksum node-fast 2.x puts in every frame by default (its "V1" mode, which FWAPI and the
 * firewaller agent both run): CRC-16/XMODEM (polynomial 0x1021, no reflection, initial 0) over the
 * low byte of each UTF-16 code unit of the JSON text, not over its UTF-8 bytes. For ASCII text
 * the two are the same. See docs/reference/fast-protocol.md §2.
 */
final class FastCrc {
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private FastCrc() {}

  static int v1(CharSequence text) {
    int crc = 0;
    for (int i = 0; i < text.length(); i++) {
      crc = TABLE[((crc >>> 8) ^ text.charAt(i)) & 0xFF] ^ ((crc << 8) & 0xFFFF);
    }
    return crc;
  }
}
