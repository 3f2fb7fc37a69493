import { float16ToFloat32, float32ToFloat16, fromHalfBits, toHalfBits } from "../../src/tensor/float16";

describe("float16", () => {
  it("encodes known values exactly", () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // rounds up to Inf
    expect(toHalfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalfBits(2 ** -26)).toBe(0x0000); // below half the smallest subnormal
    expect(toHalfBits(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(toHalfBits(-0)).toBe(0x8000);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });

  it("rounds to nearest, ties to even", () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: tie → even mantissa (1.0)
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even)
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
  });

  it("round-trips every finite half value", () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const values = float16ToFloat32(bits);
    const back = float32ToFloat16(values);
    for (let i = 0; i < 65536; i++) {
      const exp = (i >> 10) & 0x1f;
      const isNaN = exp === 0x1f && (i & 0x3ff) !== 0;
      if (!isNaN) expect(back[i]).toBe(i);
    }
  });
});
