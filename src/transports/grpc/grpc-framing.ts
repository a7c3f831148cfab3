/** gRPC's length-prefixed message framing: a compressed flag and a 4-byte length before each message. */
export const FRAME_HEADER_BYTES = 5;

export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + message.length);
  out[0] = 0; // not compressed
  out.writeUInt32BE(message.length, 1);
  message.copy(out, FRAME_HEADER_BYTES);
  return out;
}

/** The one message of a unary call's `what` (its request or its answer), never compressed here. */
export function unframe(body: Buffer, what: 'request' | 'answer'): Buffer {
  if (body.length < FRAME_HEADER_BYTES) throw new Error(`${what} has no message`);
  if (body[0] !== 0) throw new Error(`${what} is compressed, which was not asked for`);
  const length = body.readUInt32BE(1);
  if (body.length !== FRAME_HEADER_BYTES + length) throw new Error(`${what} message is ${body.length - FRAME_HEADER_BYTES} bytes, its frame says ${length}`);
  return body.subarray(FRAME_HEADER_BYTES);
}
