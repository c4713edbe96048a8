/**
 * Reads and writes of a wasm module's linear memory, bounds-checked: a pointer outside the memory is the module's
 * error (invalid_argument), never a RangeError thrown into it. Views are made per access, as memory.grow() detaches
 * the previous buffer.
 */

/** A pointer or length that leaves the module's memory. */
export class GuestMemoryError extends Error {}

export class GuestMemory {
  constructor(private readonly memory: WebAssembly.Memory) {}

  #check(pointer: number, length: number): void {
    const end = this.memory.buffer.byteLength;
    if (pointer < 0 || length < 0 || pointer + length > end) {
      throw new GuestMemoryError(`[${pointer}, ${pointer + length}) is outside the module's memory of ${end} bytes`);
    }
  }

  /** Throws unless [pointer, pointer + length) lies in the memory. */
  check(pointer: number, length: number): void {
    this.#check(pointer, length);
  }

  u32(pointer: number): number {
    this.#check(pointer, 4);
    return new DataView(this.memory.buffer).getUint32(pointer, true);
  }

  u8(pointer: number): number {
    this.#check(pointer, 1);
    return new Uint8Array(this.memory.buffer)[pointer]!;
  }

  /** A copy of the bytes, so that later writes of the module do not change what was passed. */
  bytes(pointer: number, length: number): Uint8Array {
    this.#check(pointer, length);
    return new Uint8Array(this.memory.buffer, pointer, length).slice();
  }

  setU32(pointer: number, value: number): void {
    this.#check(pointer, 4);
    new DataView(this.memory.buffer).setUint32(pointer, value, true);
  }

  setBytes(pointer: number, bytes: Uint8Array): void {
    this.#check(pointer, bytes.byteLength);
    new Uint8Array(this.memory.buffer, pointer, bytes.byteLength).set(bytes);
  }
}
