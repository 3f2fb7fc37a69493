/**
 * Reading an MCAP file whose summary is missing or damaged (a recording that was killed, a truncated
 * copy): the stream reader goes through the data section record by record until the damage; messages
 * in complete chunks all come back, and so do the complete messages at the start of an uncompressed
 * chunk that was cut.
 */
import * as fs from "node:fs";
import { McapRecordBuilder, McapStreamReader, type McapTypes } from "@mcap/core";

type Schema = McapTypes.TypedMcapRecords["Schema"];
type Channel = McapTypes.TypedMcapRecords["Channel"];
type Message = McapTypes.TypedMcapRecords["Message"];

/** Where and why reading stopped early. */
export interface McapDamage {
  /** Byte offset of the first record that could not be read. */
  offset: number;
  /** File size in bytes. */
  fileSize: number;
  /** What was wrong there. */
  reason: string;
}

/** What could be read from the file. */
export interface RecoveredMcap {
  header: McapTypes.TypedMcapRecords["Header"] | undefined;
  schemas: Map<number, Schema>;
  channels: Map<number, Channel>;
  /** Messages in file order. */
  messages: Message[];
  /** True when the whole data section was read (the DataEnd record was reached): nothing was lost. */
  dataComplete: boolean;
  /** Null when the file reads to its trailing magic. */
  damage: McapDamage | null;
}

const OPCODE_CHUNK = 0x06;
const READ_SIZE = 4 << 20;

/**
 * Reads `file` with the streaming reader. Never throws for damaged content (only when the file cannot be
 * opened); the damage, if any, is in the result.
 */
export async function recoverMcap(file: string, decompressHandlers: McapTypes.DecompressHandlers = {}): Promise<RecoveredMcap> {
  const result: RecoveredMcap = { header: undefined, schemas: new Map(), channels: new Map(), messages: [], dataComplete: false, damage: null };
  const handle = await fs.promises.open(file, "r");
  const fileSize = (await handle.stat()).size;
  const reader = new McapStreamReader({ decompressHandlers, validateCrcs: true });
  let appended = 0;
  let tail: Uint8Array = new Uint8Array(0); // the bytes the reader has not consumed yet (kept for partial-chunk recovery)
  const consumed = (): number => appended - reader.bytesRemaining();
  try {
    const buffer = new Uint8Array(READ_SIZE);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, appended);
      if (bytesRead === 0) break;
      const chunk = buffer.slice(0, bytesRead);
      try {
        reader.append(chunk);
      } catch {
        break; // "Already done reading": trailing bytes after the footer
      }
      appended += bytesRead;
      const keep = reader.bytesRemaining();
      tail = concat(tail, chunk).subarray(Math.max(0, tail.length + chunk.length - keep));
      for (let record; (record = reader.nextRecord()) !== undefined; ) take(result, record);
      tail = tail.subarray(Math.max(0, tail.length - reader.bytesRemaining()));
      if (reader.done()) break;
    }
  } catch (e) {
    result.damage = { offset: consumed(), fileSize, reason: (e as Error).message };
  } finally {
    await handle.close();
  }
  if (result.damage === null && !reader.done()) {
    const offset = consumed();
    const what = tail.length > 0 && tail[0] === OPCODE_CHUNK ? "a chunk" : tail.length > 0 ? `a record (opcode 0x${tail[0].toString(16).padStart(2, "0")})` : "the next record";
    result.damage = { offset, fileSize, reason: `file ends inside ${what}: ${fileSize - offset} of its bytes present` };
    if (!result.dataComplete && tail.length > 0 && tail[0] === OPCODE_CHUNK) recoverPartialChunk(tail, result);
  }
  return result;
}

function take(result: RecoveredMcap, record: McapTypes.TypedMcapRecord): void {
  switch (record.type) {
    case "Header":
      result.header = record;
      break;
    case "Schema":
      result.schemas.set(record.id, record);
      break;
    case "Channel":
      result.channels.set(record.id, record);
      break;
    case "Message":
      result.messages.push(record);
      break;
    case "DataEnd":
      result.dataComplete = true;
      break;
    default:
      break;
  }
}

/**
 * The complete records at the start of a cut, uncompressed chunk. Chunk layout: opcode u8, length u64,
 * start time u64, end time u64, uncompressed size u64, crc u32, compression (u32 length + text), records
 * length u64, records.
 */
function recoverPartialChunk(bytes: Uint8Array, result: RecoveredMcap): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const compressionLengthAt = 1 + 8 + 8 + 8 + 8 + 4;
  if (bytes.length < compressionLengthAt + 4) return;
  const compressionLength = view.getUint32(compressionLengthAt, true);
  const recordsAt = compressionLengthAt + 4 + compressionLength + 8;
  if (compressionLength !== 0 || bytes.length <= recordsAt) return; // compressed chunks cannot be read in part
  // Replay the known schemas and channels first so the reader accepts messages of earlier channels.
  const builder = new McapRecordBuilder();
  for (const s of result.schemas.values()) builder.writeSchema(s);
  for (const c of result.channels.values()) builder.writeChannel(c);
  const inner = new McapStreamReader({ noMagicPrefix: true, validateCrcs: true });
  inner.append(builder.buffer);
  inner.append(bytes.subarray(recordsAt));
  try {
    for (let record; (record = inner.nextRecord()) !== undefined; ) take(result, record);
  } catch {
    // garbage after the last whole record: stop there
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
