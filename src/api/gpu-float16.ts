/**
 * float16 tensors shared with WebGPU: TF.js's webgpu backend holds their values as f32, while the buffer exportToGPU()
 * gives holds them as WebGPU reads float16, packed two to a 32-bit word (WGSL array<f16> with the shader-f16 feature,
 * or unpack2x16float() of array<u32> without). Two compute passes convert on the GPU, bit by bit on integers so that
 * infinities, NaN, subnormals and signed zeros survive (WGSL's pack2x16float() leaves values beyond float16's finite
 * range indeterminate): packing rounds to nearest, ties to even, as readTensor() does.
 */

/** Elements per workgroup, and workgroups per dispatch dimension (WebGPU's default maxComputeWorkgroupsPerDimension). */
const WORKGROUP = 64;
const MAX_GROUPS = 65535;

const INDEX = `
@group(0) @binding(0) var<uniform> count: u32;
fn flatIndex(id: vec3u, groups: vec3u) -> u32 { return id.y * groups.x * ${WORKGROUP}u + id.x; }`;

/** src: f32 bits, `count` of them; dst: the float16 bits, two to a word, the first in the low half. */
const PACK = `${INDEX}
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn halfBits(x: u32) -> u32 {
  let sign = (x >> 16u) & 0x8000u;
  let e = (x >> 23u) & 0xffu;
  let m = x & 0x7fffffu;
  if (e == 255u) { return sign | select(0x7c00u, 0x7e00u, m != 0u); }
  let exponent = i32(e) - 112;
  if (exponent >= 31) { return sign | 0x7c00u; }
  if (exponent <= 0) {
    if (exponent < -10) { return sign; }
    let shift = u32(14 - exponent);
    let full = m | 0x800000u;
    let kept = full >> shift;
    let rest = full & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    return sign | (kept + select(0u, 1u, rest > half || (rest == half && (kept & 1u) == 1u)));
  }
  let kept = (u32(exponent) << 10u) | (m >> 13u);
  let rest = m & 0x1fffu;
  // A carry out of the mantissa raises the exponent, up to infinity: what rounding to nearest gives.
  return sign | (kept + select(0u, 1u, rest > 0x1000u || (rest == 0x1000u && (kept & 1u) == 1u)));
}

@compute @workgroup_size(${WORKGROUP}) fn main(@builtin(global_invocation_id) id: vec3u,
    @builtin(num_workgroups) groups: vec3u) {
  let word = flatIndex(id, groups);
  let first = 2u * word;
  if (first >= count) { return; }
  var bits = halfBits(src[first]);
  if (first + 1u < count) { bits = bits | (halfBits(src[first + 1u]) << 16u); }
  dst[word] = bits;
}`;

/** src: float16 bits, two to a word; dst: the f32 bits of each, `count` of them. */
const UNPACK = `${INDEX}
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn floatBits(h: u32) -> u32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 31u) { return sign | 0x7f800000u | (m << 13u); }
  if (e != 0u) { return sign | ((e + 112u) << 23u) | (m << 13u); }
  if (m == 0u) { return sign; }
  // A subnormal, m * 2^-24: normal in f32, its leading bit becomes the implicit one.
  let top = firstLeadingBit(m);
  return sign | ((top + 103u) << 23u) | ((m << (23u - top)) & 0x7fffffu);
}

@compute @workgroup_size(${WORKGROUP}) fn main(@builtin(global_invocation_id) id: vec3u,
    @builtin(num_workgroups) groups: vec3u) {
  let i = flatIndex(id, groups);
  if (i >= count) { return; }
  dst[i] = floatBits((src[i / 2u] >> (16u * (i % 2u))) & 0xffffu);
}`;

const pipelines = new WeakMap<GPUDevice, { pack: GPUComputePipeline; unpack: GPUComputePipeline }>();

function pipelinesOf(device: GPUDevice) {
  let made = pipelines.get(device);
  if (!made) {
    const pipeline = (code: string, label: string) => device.createComputePipeline({
      label, layout: 'auto', compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' },
    });
    made = { pack: pipeline(PACK, 'float32 to packed float16'), unpack: pipeline(UNPACK, 'packed float16 to float32') };
    pipelines.set(device, made);
  }
  return made;
}

/** The bytes of `count` float16 values packed in 32-bit words (at least one: a GPUBuffer cannot be empty). */
export function packedFloat16ByteLength(count: number): number {
  return 4 * Math.max(1, Math.ceil(count / 2));
}

function convert(device: GPUDevice, pipeline: GPUComputePipeline, src: GPUBuffer, dst: GPUBuffer, count: number,
  invocations: number): void {
  const countBuffer = device.createBuffer({ label: 'element count', size: 4, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
  new Uint32Array(countBuffer.getMappedRange()).set([count]);
  countBuffer.unmap();
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [countBuffer, src, dst].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const groups = Math.max(1, Math.ceil(invocations / WORKGROUP));
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.min(groups, MAX_GROUPS), Math.ceil(groups / MAX_GROUPS));
  pass.end();
  device.queue.submit([encoder.finish()]);
  // Work already submitted keeps the buffers it uses.
  countBuffer.destroy();
}

/** Submits a pass writing `count` f32 values of `src` into `dst` as packed float16 (packedFloat16ByteLength bytes). */
export function packFloat16(device: GPUDevice, src: GPUBuffer, dst: GPUBuffer, count: number): void {
  convert(device, pipelinesOf(device).pack, src, dst, count, Math.ceil(count / 2));
}

/** Submits a pass writing `count` packed float16 values of `src` into `dst` as f32 (4 * count bytes). */
export function unpackFloat16(device: GPUDevice, src: GPUBuffer, dst: GPUBuffer, count: number): void {
  convert(device, pipelinesOf(device).unpack, src, dst, count, count);
}
