package com.joyent.mockcloud.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Writes doubles the way JavaScript's Number#toString does: integral values without a
 * fraction, plain notation between 1e-6 and 1e21, shortest round-trip digits.
 */
final class JsNumberSerializer extends StdSerializer<Double> {
  JsNumberSerializer() {
    super(Double.class);
  }

  @Override
  public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    gen.writeNumber(format(value));
  }

  static String format(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "null"; // JSON.stringify writes null for NaN and Infinity
    }
    if (d == 0) {
      return "0";
    }
    double abs = Math.abs(d);
    if (abs >= 1e21 || abs < 1e-6) {
      // Java's shortest digits with JS's exponent spelling: 1e+21, 1.5e-7
      String s = Double.toString(d);
      int e = s.indexOf('E');
      String mantissa = s.substring(0, e);
      if (mantissa.endsWith(".0")) {
        mantissa = mantissa.substring(0, mantissa.length() - 2);
      }
      String exp = s.substring(e + 1);
      return mantissa + "e" + (exp.startsWith("-") ? exp : "+" + exp);
    }
    // Double.toString gives the shortest round-trip digits; BigDecimal removes the exponent.
    String plain = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    return plain;
  }

  static final class FloatSerializer extends StdSerializer<Float> {
    FloatSerializer() {
      super(Float.class);
    }

    @Override
    public void serialize(Float value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeNumber(format(Double.parseDouble(Float.toString(value))));
    }
  }
}
