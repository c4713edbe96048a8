import type { MLOperandDataType } from './data-type.js';

/**
 * uint32, int64 and uint64 have no TF.js dtype that holds them exactly: their values live on the host, in the typed
 * array of their data type, and the operations reading or writing them run as plain loops (OpDefinition.lowerHost).
 */
export type HostDataType = 'uint32' | 'int64' | 'uint64';

export function isHostType(t: MLOperandDataType): t is HostDataType {
  return t === 'uint32' || t === 'int64' || t === 'uint64';
}

/**
 * The typed array a value of each data type is held in on the host: float32 and float16 as Float32Array (float16
 * values rounded when read out, as on TF.js), int32, int8 and uint8 as Int32Array, the others as their own views.
 */
export type HostValues = Float32Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

const HOST_ARRAY_TYPES = {
  float32: Float32Array, float16: Float32Array, int32: Int32Array, int8: Int32Array, uint8: Int32Array,
  uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
} as const satisfies Record<MLOperandDataType, unknown>;

export function hostArrayOf(t: MLOperandDataType, length: number): HostValues {
  return new HOST_ARRAY_TYPES[t](length);
}

/** Whether `values` is the host array type of `t`. */
export function holdsType(values: HostValues, t: MLOperandDataType): boolean {
  return values.constructor === HOST_ARRAY_TYPES[t];
}

/**
 * A value of an execution plan or an MLTensor's data held on the host. Its fields are private so that TF.js's tidy(),
 * which walks the enumerable properties of whatever a scope returns, does not walk the elements.
 */
export class HostTensor {
  readonly #dataType: MLOperandDataType;
  readonly #shape: readonly number[];
  readonly #values: HostValues;

  constructor(dataType: MLOperandDataType, shape: readonly number[], values: HostValues) {
    if (!holdsType(values, dataType)) throw new Error(`a ${values.constructor.name} cannot hold ${dataType} host values`);
    this.#dataType = dataType;
    this.#shape = [...shape];
    this.#values = values;
  }

  static zeros(dataType: MLOperandDataType, shape: readonly number[]): HostTensor {
    return new HostTensor(dataType, shape, hostArrayOf(dataType, shape.reduce((a, b) => a * b, 1)));
  }

  get dataType(): MLOperandDataType { return this.#dataType; }
  get shape(): readonly number[] { return this.#shape; }
  get values(): HostValues { return this.#values; }
  get size(): number { return this.#values.length; }

  clone(): HostTensor {
    return new HostTensor(this.#dataType, this.#shape, this.#values.slice());
  }

  /** Nothing to release: the garbage collector frees host memory. Present so host and TF.js values dispose alike. */
  dispose(): void {
    // no backend memory
  }

  data(): Promise<HostValues> {
    return Promise.resolve(this.#values);
  }
}

export function isHostTensor(x: unknown): x is HostTensor {
  return x instanceof HostTensor;
}
