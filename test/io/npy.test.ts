import * as path from "node:path";
import { decodeNpy, encodeNpy, type NpyArray } from "../../src/io/npy";
import { readNpy } from "../../src/io/npyFile";
import { describeWithReference } from "../helpers/reference";

describe("npy codec", () => {
  const cases: NpyArray[] = [
    { dtype: "float32", shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) },
    { dtype: "float64", shape: [3], data: Float64Array.from([Math.PI, -0, 1e300]) },
    { dtype: "uint8", shape: [1, 2, 2, 1], data: Uint8Array.from([0, 1, 254, 255]) },
    { dtype: "int32", shape: [2], data: Int32Array.from([-5, 2 ** 31 - 1]) },
    { dtype: "int64", shape: [2], data: Float64Array.from([-3, 2 ** 40]) },
    { dtype: "float16", shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) },
    { dtype: "float32", shape: [], data: Float32Array.from([42]) },
  ];
  it.each(cases.map((c) => [c.dtype, c.shape.join("x"), c] as const))("round-trips %s [%s]", (_d, _s, c) => {
    const bytes = encodeNpy(c);
    // numpy aligns the payload to 64 bytes
    expect((bytes.length - c.data.byteLength) % 64).toBe(0);
    const back = decodeNpy(bytes);
    expect(back.dtype).toBe(c.dtype);
    expect(back.shape).toEqual(c.shape);
    expect(Array.from(back.data)).toEqual(Array.from(c.data));
  });

  it("rejects bad magic, truncation, Fortran order and unknown dtypes with the reason", () => {
    expect(() => decodeNpy(new Uint8Array(20), "x.npy")).toThrow(/x\.npy: not a \.npy file/);
    const good = encodeNpy({ dtype: "float32", shape: [4], data: new Float32Array(4) });
    expect(() => decodeNpy(good.subarray(0, good.length - 3), "t.npy")).toThrow(/truncated .npy payload: 13 bytes for shape \[4\] float32, expected 16/);
    const fortran = new TextDecoder("latin1").decode(good).replace("'fortran_order': False", "'fortran_order': True ");
    expect(() => decodeNpy(Uint8Array.from(fortran, (ch) => ch.charCodeAt(0)))).toThrow(/Fortran-ordered/);
    const complex = new TextDecoder("latin1").decode(good).replace("<f4", "<c8");
    expect(() => decodeNpy(Uint8Array.from(complex, (ch) => ch.charCodeAt(0)))).toThrow(/unsupported dtype '<c8'/);
    expect(() => encodeNpy({ dtype: "float32", shape: [3], data: new Float32Array(2) })).toThrow(/2 values for shape \[3\]/);
  });
});

describeWithReference("npy files written by numpy", (dir) => {
  it("reads the upstream reference arrays", () => {
    const images = readNpy(path.join(dir, "ac-tiny", "images_u8.npy"));
    expect(images.dtype).toBe("uint8");
    expect(images.shape).toEqual([3, 64, 64, 3]);
    const tokens = readNpy(path.join(dir, "ac-tiny", "encoder_tokens.npy"));
    expect(tokens.dtype).toBe("float32");
    expect(tokens.shape).toEqual([3, 16, 96]);
    expect(tokens.data.length).toBe(3 * 16 * 96);
  });
});
