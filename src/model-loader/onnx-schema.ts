/**
 * The subset of onnx.proto (ONNX IR, proto2) an inference model is read with, as a protobufjs JSON namespace: field
 * numbers and types as in the ONNX IR specification. Fields not listed (documentation, training info, metadata) are
 * skipped by the decoder.
 */
import type { INamespace } from 'protobufjs/light.js';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const optional = (type: string, id: number) => ({ type, id });

export const ONNX_SCHEMA: INamespace = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: optional('string', 1),
            refAttrName: optional('string', 21),
            f: optional('float', 2),
            i: optional('int64', 3),
            s: optional('bytes', 4),
            t: optional('TensorProto', 5),
            g: optional('GraphProto', 6),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            strings: repeated('bytes', 9),
            tensors: repeated('TensorProto', 10),
            graphs: repeated('GraphProto', 11),
            type: optional('AttributeType', 20),
          },
          nested: {
            AttributeType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
                TENSORS: 9, GRAPHS: 10,
              },
            },
          },
        },
        ValueInfoProto: {
          fields: { name: optional('string', 1), type: optional('TypeProto', 2) },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: optional('string', 3),
            opType: optional('string', 4),
            attribute: repeated('AttributeProto', 5),
            domain: optional('string', 7),
          },
        },
        ModelProto: {
          fields: {
            irVersion: optional('int64', 1),
            producerName: optional('string', 2),
            producerVersion: optional('string', 3),
            graph: optional('GraphProto', 7),
            opsetImport: repeated('OperatorSetIdProto', 8),
          },
        },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: optional('string', 2),
            initializer: repeated('TensorProto', 5),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
            valueInfo: repeated('ValueInfoProto', 13),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            dataType: optional('int32', 2),
            floatData: repeated('float', 4),
            int32Data: repeated('int32', 5),
            int64Data: repeated('int64', 7),
            name: optional('string', 8),
            rawData: optional('bytes', 9),
            doubleData: repeated('double', 10),
            uint64Data: repeated('uint64', 11),
            dataLocation: optional('int32', 14),
          },
          nested: {
            DataType: {
              values: {
                UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
                FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
              },
            },
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: { fields: { dimValue: optional('int64', 1), dimParam: optional('string', 2) } },
          },
        },
        TypeProto: {
          fields: { tensorType: optional('Tensor', 1) },
          nested: {
            Tensor: { fields: { elemType: optional('int32', 1), shape: optional('TensorShapeProto', 2) } },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: optional('string', 1), version: optional('int64', 2) },
        },
      },
    },
  },
};
