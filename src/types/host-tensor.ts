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

export function hostArrayOf(t: MLOperandDataType, length: number): HostValues {
  switch (t) {
    case 'float32': case 'float16': return new Float32Array(length);
    case 'int32': case 'int8': case 'uint8': return new Int32Array(length);
    case 'uint32': return new Uint32Array(length);
    case 'int64': return new BigInt64Array(length);
    case 'uint64': return new BigUint64Array(length);
  }
}

/** Whether `values` is the host array type of `t`. */
export function holdsType(values: HostValues, t: MLOperandDataType): boolean {
  return values.constructor === hostArrayOf(t, 0).constructor;
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
