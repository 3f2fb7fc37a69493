/**
 * Reading an MCAP file whose summary is missing or damaged (a recording that was killed, a truncated
 * copy): the stream reader goes through the data section record by record until the damage; messages
 * in complete chunks all come back, and so do the complete messages at the start of an uncompressed
 * chunk that was cut. Memory stays within the largest record the file really holds: a record whose
 * length runs past the end of the file (cut, or a damaged length field) ends the reading there instead
 * of having the rest of the file buffered for it.
 */
import * as fs from "node:fs";
import { McapRecordBuilder, McapStreamReader, Opcode, type McapTypes } from "@mcap/core";

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
  /** True when the whole data section was read (the DataEnd record was reached). */
  dataComplete: boolean;
  /**
   * Records skipped in the data section: of unknown kind (a damaged opcode hides a whole chunk this way),
   * and, in a chunked file, messages outside chunks (no CRC vouches for them, and writers put none there;
   * a damaged opcode makes them, e.g. of a message index).
   */
  skippedRecords: number;
  /**
   * The summary section, read (unverified) after the data section, counts other messages or chunks than
   * the data section gave: something is missing (a whole record cut out) or the summary is damaged.
   */
  summaryDisagrees: boolean;
  /** Null when the file reads to its trailing magic. */
  damage: McapDamage | null;
}

const READ_SIZE = 4 << 20;

/**
 * Reads `file` with the streaming reader. Never throws for damaged content (only when the file cannot be
 * opened); the damage, if any, is in the result.
 */
export async function recoverMcap(file: string, decompressHandlers: McapTypes.DecompressHandlers = {}): Promise<RecoveredMcap> {
  const result: RecoveredMcap = {
    header: undefined,
    schemas: new Map(),
    channels: new Map(),
    messages: [],
    dataComplete: false,
    skippedRecords: 0,
    summaryDisagrees: false,
    damage: null,
  };
  const handle = await fs.promises.open(file, "r");
  try {
    const fileSize = (await handle.stat()).size;
    // includeChunks: the Chunk records come too, so messages outside chunks can be told apart
    const reader = new McapStreamReader({ decompressHandlers, validateCrcs: true, includeChunks: true });
    let chunks = 0;
    const outside: Message[] = [];
    let indexedChunks = 0;
    let counted: bigint | undefined;
    const stop = await streamRecords(handle, 0, fileSize, reader, (record, topLevel) => {
      if (!result.dataComplete) {
        if (record.type === "Chunk") chunks++;
        if (record.type === "Message" && topLevel) outside.push(record);
      } else if (record.type === "ChunkIndex") indexedChunks++;
      else if (record.type === "Statistics") counted = record.messageCount;
      take(result, record);
    });
    if (chunks > 0 && outside.length > 0) {
      const drop = new Set(outside);
      result.messages = result.messages.filter((m) => !drop.has(m));
      result.skippedRecords += outside.length;
    }
    result.summaryDisagrees = (counted !== undefined && counted !== BigInt(result.messages.length)) || (indexedChunks > 0 && indexedChunks !== chunks);
    if (stop === null) return result;
    if (stop.error !== null) {
      result.damage = { offset: stop.offset, fileSize, reason: stop.error };
      return result;
    }
    const pending = stop.pending;
    const what =
      pending === null
        ? "the next record"
        : pending.opcode === Opcode.CHUNK
          ? "a chunk"
          : `a record (opcode 0x${pending.opcode.toString(16).padStart(2, "0")})`;
    const declared = pending === null || pending.end > Number.MAX_SAFE_INTEGER ? "" : ` of its ${pending.end - stop.offset}`;
    result.damage = { offset: stop.offset, fileSize, reason: `file ends inside ${what}: ${fileSize - stop.offset}${declared} bytes present` };
    if (!result.dataComplete && pending?.opcode === Opcode.CHUNK) await recoverPartialChunk(handle, stop.offset, Math.min(fileSize, pending.end), result);
  } finally {
    await handle.close();
  }
  return result;
}

function take(result: RecoveredMcap, record: McapTypes.TypedMcapRecord): void {
  // After DataEnd comes the summary, which only repeats schemas and channels: a damaged one must not
  // replace the data section's.
  if (result.dataComplete) return;
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
    case "Unknown":
      result.skippedRecords++;
      break;
    default:
      break;
  }
}

/** Why {@link streamRecords} stopped before the reader was done. */
interface Stop {
  /** File offset of the record that failed or could not be completed. */
  offset: number;
  /** The reader's error, or null when the bytes ran out. */
  error: string | null;
  /** Opcode and declared end (file offset) of the incomplete record, when its 9-byte prefix is present. */
  pending: { opcode: number; end: number } | null;
}

/**
 * Feeds the file's bytes [from, to) to `reader`, handing each record to `onRecord` (`topLevel`: the record
 * was read from the file, not from inside a chunk the reader yielded before it). Returns null when the
 * reader is done (footer and magic read), else where and why it stopped: a reader error, or the bytes
 * ending inside a record. A record declaring more bytes than are left before `to` stops the reading
 * at once, so the reader never buffers more than the records that fit.
 */
async function streamRecords(
  handle: fs.promises.FileHandle,
  from: number,
  to: number,
  reader: McapStreamReader,
  onRecord: (r: McapTypes.TypedMcapRecord, topLevel: boolean) => void,
): Promise<Stop | null> {
  let appended = from;
  const consumed = (): number => appended - reader.bytesRemaining();
  const head = new Uint8Array(9);
  const buffer = new Uint8Array(Math.min(READ_SIZE, Math.max(0, to - from)));
  let recordStart = from; // start of the last top-level record read
  for (;;) {
    let before = consumed();
    try {
      for (let record; (before = consumed()), (record = reader.nextRecord()) !== undefined;) {
        const topLevel = consumed() !== before;
        if (topLevel) recordStart = before;
        onRecord(record, topLevel);
      }
    } catch (e) {
      // an error before the reader moved on is in the last record read (a chunk's CRC or contents)
      return { offset: consumed() === before ? recordStart : before, error: (e as Error).message, pending: null };
    }
    if (reader.done()) return null;
    const at = consumed();
    let pending: Stop["pending"] = null;
    if (appended > from && to - at >= 9) {
      // (after the first bytes: before them the reader still waits for the leading magic)
      await handle.read(head, 0, 9, at);
      const length = new DataView(head.buffer).getBigUint64(1, true);
      pending = { opcode: head[0], end: length > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : at + 9 + Number(length) };
      if (pending.end > to) return { offset: at, error: null, pending };
    }
    if (appended >= to) return { offset: at, error: null, pending };
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - appended), appended);
    if (bytesRead === 0) return { offset: at, error: null, pending };
    try {
      reader.append(buffer.subarray(0, bytesRead));
    } catch (e) {
      return { offset: at, error: (e as Error).message, pending: null };
    }
    appended += bytesRead;
  }
}

/**
 * The complete records at the start of a cut, uncompressed chunk at `offset` (its bytes end at `end`).
 * Chunk layout: opcode u8, length u64, start time u64, end time u64, uncompressed size u64, crc u32,
 * compression (u32 length + text), records length u64, records.
 */
async function recoverPartialChunk(handle: fs.promises.FileHandle, offset: number, end: number, result: RecoveredMcap): Promise<void> {
  const compressionLengthAt = 1 + 8 + 8 + 8 + 8 + 4;
  const prefix = new Uint8Array(compressionLengthAt + 4 + 8);
  const { bytesRead } = await handle.read(prefix, 0, Math.min(prefix.length, end - offset), offset);
  if (bytesRead < prefix.length) return;
  const view = new DataView(prefix.buffer);
  if (view.getUint32(compressionLengthAt, true) !== 0) return; // compressed chunks cannot be read in part
  const recordsLength = view.getBigUint64(compressionLengthAt + 4, true);
  const recordsAt = offset + prefix.length;
  const recordsEnd = recordsLength > BigInt(end - recordsAt) ? end : recordsAt + Number(recordsLength);
  // Replay the known schemas and channels first so the reader accepts messages of earlier channels.
  const builder = new McapRecordBuilder();
  for (const s of result.schemas.values()) builder.writeSchema(s);
  for (const c of result.channels.values()) builder.writeChannel(c);
  const inner = new McapStreamReader({ noMagicPrefix: true, validateCrcs: true });
  inner.append(builder.buffer);
  // only what a chunk may hold (garbage after the last whole record ends it)
  await streamRecords(handle, recordsAt, recordsEnd, inner, (record) => {
    if (record.type === "Schema" || record.type === "Channel" || record.type === "Message") take(result, record);
  });
}

/**
 * The decompressors, with a chunk's uncompressed_size checked before it is used: that field is not covered
 * by the chunk's CRC, and the WebAssembly zstd decompressor of @mcap/support allocates it up front in a
 * heap that never shrinks, so one damaged size grew the process by up to 2 GiB for good. zstd frames state
 * their content size (MCAP writers write them so): no more than that is allocated. (The CRC then checks
 * the output; a size the data does not state is used as it is.)
 */
export function checkedDecompressHandlers(handlers: McapTypes.DecompressHandlers): McapTypes.DecompressHandlers {
  const zstd = handlers.zstd;
  if (zstd === undefined) return handlers;
  return {
    ...handlers,
    zstd: (buffer, size) => {
      const stated = zstdContentSize(buffer);
      return zstd(buffer, stated !== null && stated < size ? stated : size);
    },
  };
}

/** The total content size the zstd frames of `data` state, or null when a frame does not state it or cannot be walked. */
function zstdContentSize(data: Uint8Array): bigint | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let total = 0n;
  let at = 0;
  while (at < data.length) {
    // frame: magic u32, descriptor u8, [window u8], [dictionary id], [content size], blocks, [checksum u32]
    if (data.length - at < 6 || view.getUint32(at, true) !== 0xfd2fb528) return null;
    const descriptor = data[at + 4];
    const single = (descriptor & 0x20) !== 0;
    const sizeBytes = [single ? 1 : 0, 2, 4, 8][descriptor >> 6];
    let p = at + 5 + (single ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
    if (sizeBytes === 0 || data.length - p < sizeBytes) return null;
    total +=
      sizeBytes === 1
        ? BigInt(data[p])
        : sizeBytes === 2
          ? BigInt(view.getUint16(p, true) + 256)
          : sizeBytes === 4
            ? BigInt(view.getUint32(p, true))
            : view.getBigUint64(p, true);
    p += sizeBytes;
    for (let last = false; !last;) {
      // block header u24: last bit, type (raw, RLE, compressed) 2 bits, size 21 bits; an RLE block holds one byte
      if (data.length - p < 3) return null;
      const header = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16);
      last = (header & 1) === 1;
      p += 3 + (((header >> 1) & 3) === 1 ? 1 : header >>> 3);
    }
    at = p + ((descriptor & 0x04) !== 0 ? 4 : 0);
  }
  return at === data.length && data.length > 0 ? total : null;
}
