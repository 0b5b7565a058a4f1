"""The only language the grader and a sandboxed submission share: data, never code.

A message is one frame on a stream socket:

    [4-byte length H][H bytes of JSON][4-byte count N][N times: 8-byte length, .npy bytes]

The JSON is a dict; values inside it are encoded as plain JSON scalars (None, bool, int,
float, str) or as one-key dicts that say what they are:

    {"l": [...]} list          {"t": [...]} tuple        {"d": [[k, v], ...]} dict
    {"a": i}  the i-th array   {"s": i} a numpy scalar (0-d array i)
    {"g": state} a numpy random Generator (its bit generator's state)
    {"c": [re, im]} complex    {"e": 0} Ellipsis         {"sl": [start, stop, step]} slice     {"dt": "<f8"} a dtype
    {"h": id, ...} an object that stays with the sender (the receiver gets a proxy)
    {"r": id} an object of the receiver's, that the receiver handed out before
    {"m": id} a Parameter mirrored from the grader (see nnlab.course.remote)
    {"n": name} a name of the notebook (grader to sandbox only)

Arrays travel in NumPy's .npy format and are read with allow_pickle=False; only numeric
and boolean dtypes are accepted. `Reader` enforces the limits of nnlab.course.policy on
every frame, so a malformed, oversized or slow message is an error, never a crash. This
module is loaded by both sides (the sandbox gets a read-only copy of it).
"""
import io
import json
import math
import re
import select
import struct
import time

import numpy as np

ARRAY_KINDS = "biufc"  # bool, int, unsigned, float, complex: nothing else is decoded


class ProtocolError(Exception):
    """A frame that breaks the protocol or its limits."""


class Closed(ProtocolError):
    """The other side closed the connection (or died)."""


class Timeout(ProtocolError):
    """No complete message before the deadline."""


# --- arrays ---

def array_bytes(array):
    """The .npy (version 1.0) bytes of a numeric array."""
    array = np.asarray(array)
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)  # (never for 0-d arrays: it would make them 1-d)
    if array.dtype.kind not in ARRAY_KINDS or array.dtype.names is not None or array.dtype.subdtype is not None:
        raise TypeError(f"arrays of dtype {array.dtype} cannot be sent")
    shape = "".join(f"{n}, " for n in array.shape)
    shape = f"({shape[:-2]},)" if array.ndim == 1 else f"({shape[:-2]})"
    header = f"{{'descr': '{array.dtype.str}', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"  # magic + header a multiple of 64 bytes
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + array.tobytes()


_NPY_HEADER = re.compile(rb"\{'descr': '([<>|=][biufc]\d{1,2})', 'fortran_order': (False|True), "
                         rb"'shape': \(((?:\d+, )*\d*),?\), \} *\n")


def read_array(blob, max_elements):
    """An array from .npy bytes: numeric dtypes only, never unpickled."""
    if blob[:8] in (b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00"):  # the common header, read without eval
        offset = 10 if blob[6] == 1 else 12
        size = int.from_bytes(blob[8:offset], "little")
        match = _NPY_HEADER.fullmatch(blob[offset:offset + size])
        if match:
            dtype = np.dtype(match.group(1).decode())
            shape = tuple(int(n) for n in match.group(3).decode().replace(" ", "").split(",") if n)
            count = math.prod(shape)
            if count > max_elements:
                raise ProtocolError(f"an array of {count} elements is over the limit of {max_elements}")
            data = blob[offset + size:]
            if len(data) != count * dtype.itemsize:
                raise ProtocolError("an array whose data does not match its shape")
            array = np.frombuffer(data, dtype=dtype, count=count).reshape(shape, order="F" if match.group(2) == b"True" else "C")
            return array.copy()
    try:
        array = np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)
    except Exception as error:  # noqa: BLE001 - any malformed .npy is the same verdict
        raise ProtocolError(f"unreadable array ({type(error).__name__})") from None
    dtype = array.dtype
    if dtype.kind not in ARRAY_KINDS or dtype.names is not None or dtype.subdtype is not None:
        raise ProtocolError(f"arrays of dtype {dtype} are not accepted")
    if array.size > max_elements:
        raise ProtocolError(f"an array of {array.size} elements is over the limit of {max_elements}")
    if not array.flags.writeable:
        array = array.copy()
    return array


# --- framing ---

def send(sock, header, blobs=()):
    body = json.dumps(header, separators=(",", ":")).encode()
    parts = [struct.pack(">I", len(body)), body, struct.pack(">I", len(blobs))]
    for blob in blobs:
        parts.append(struct.pack(">Q", len(blob)))
        parts.append(blob)
    try:
        sock.sendall(b"".join(parts))
    except (BrokenPipeError, ConnectionResetError, OSError) as error:
        raise Closed(f"the other side is gone ({type(error).__name__})") from None


class Reader:
    """Reads whole frames from a socket under limits and a deadline."""

    def __init__(self, sock, max_header, max_message, max_blobs):
        self.sock, self.buffer = sock, bytearray()
        self.max_header, self.max_message, self.max_blobs = max_header, max_message, max_blobs

    def _fill(self, n, deadline):
        while len(self.buffer) < n:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise Timeout("no reply in time")
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                raise Timeout("no reply in time")
            try:
                chunk = self.sock.recv(max(65536, min(n - len(self.buffer), 1 << 24)))
            except (ConnectionResetError, OSError) as error:
                raise Closed(f"the connection broke ({type(error).__name__})") from None
            if not chunk:
                raise Closed("the other side closed the connection")
            self.buffer += chunk

    def _take(self, n, deadline):
        self._fill(n, deadline)
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def receive(self, deadline=None):
        """(header dict, [blob bytes]) of the next frame."""
        (size,) = struct.unpack(">I", self._take(4, deadline))
        if size > self.max_header:
            raise ProtocolError(f"a message header of {size} bytes is over the limit")
        try:
            header = json.loads(self._take(size, deadline))
        except (ValueError, RecursionError):
            raise ProtocolError("a message header is not valid JSON") from None
        if not isinstance(header, dict):
            raise ProtocolError("a message header must be a JSON object")
        (count,) = struct.unpack(">I", self._take(4, deadline))
        if count > self.max_blobs:
            raise ProtocolError(f"{count} arrays in one message is over the limit")
        blobs, total = [], size
        for _ in range(count):
            (length,) = struct.unpack(">Q", self._take(8, deadline))
            total += length
            if total > self.max_message:
                raise ProtocolError("a message is over the size limit")
            blobs.append(self._take(length, deadline))
        return header, blobs


# --- values ---

class Encoder:
    """Turns values into JSON plus blobs (one Encoder per message). `other(value, encoder)`
    handles what is not data: it returns an encoded form ({"h": ...}, {"m": ...}) or raises
    TypeError."""

    def __init__(self, other=None):
        self.blobs, self.other = [], other

    def plain(self, value):
        """Encode data only: TypeError for anything that would need `other`."""
        other, self.other = self.other, None
        try:
            return self(value)
        finally:
            self.other = other

    def __call__(self, value):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) in (int, bool):
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"f": repr(value)}
        if type(value) is list:
            return {"l": [self(v) for v in value]}
        if type(value) is tuple:
            return {"t": [self(v) for v in value]}
        if type(value) is dict:
            return {"d": [[self(k), self(v)] for k, v in value.items()]}
        if isinstance(value, np.ndarray) and value.dtype.kind in ARRAY_KINDS and value.dtype.names is None:
            self.blobs.append(array_bytes(np.asarray(value)))
            return {"a": len(self.blobs) - 1}
        if isinstance(value, np.generic) and np.asarray(value).dtype.kind in ARRAY_KINDS:
            self.blobs.append(array_bytes(np.asarray(value)))
            return {"s": len(self.blobs) - 1}
        if type(value) is complex:
            return {"c": [value.real, value.imag]}
        if isinstance(value, np.random.Generator):
            return {"g": value.bit_generator.state}
        if value is Ellipsis:
            return {"e": 0}
        if type(value) is slice:
            return {"sl": [self(value.start), self(value.stop), self(value.step)]}
        if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
            dtype = np.dtype(value)
            if dtype.kind in ARRAY_KINDS and dtype.names is None:
                return {"dt": dtype.str}
        if self.other is None:
            raise TypeError(f"a {type(value).__name__} cannot be sent")
        return self.other(value, self)


def _generator(state):
    if not isinstance(state, dict) or state.get("bit_generator") not in ("PCG64", "PCG64DXSM", "MT19937",
                                                                          "Philox", "SFC64"):
        raise ProtocolError("a random generator with an unknown bit generator")
    bit_generator = getattr(np.random, state["bit_generator"])()
    try:
        bit_generator.state = state
    except Exception:  # noqa: BLE001 - any bad state is the same verdict
        raise ProtocolError("a random generator with an invalid state") from None
    return np.random.Generator(bit_generator)


class Decoder:
    """The inverse of Encoder, strict: anything not in the table above is a ProtocolError.
    `handle(tag, payload)` builds proxies for {"h"}, {"r"} and {"m"}."""

    def __init__(self, blobs, max_elements, handle=None, max_depth=64):
        self.blobs, self.max_elements, self.handle, self.max_depth = blobs, max_elements, handle, max_depth

    def __call__(self, value, depth=0):
        if depth > self.max_depth:
            raise ProtocolError("a value nested too deeply")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)):
            return value
        if not isinstance(value, dict) or len(value) < 1:
            raise ProtocolError("an untagged container in a message")
        tag = next(iter(value))
        payload = value[tag]
        if tag in ("l", "t") and isinstance(payload, list):
            items = [self(v, depth + 1) for v in payload]
            return items if tag == "l" else tuple(items)
        if tag == "d" and isinstance(payload, list):
            out = {}
            for pair in payload:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise ProtocolError("a malformed dict in a message")
                key = self(pair[0], depth + 1)
                try:
                    out[key] = self(pair[1], depth + 1)
                except TypeError:
                    raise ProtocolError("an unhashable dict key") from None
            return out
        if tag in ("a", "s") and type(payload) is int and 0 <= payload < len(self.blobs):
            array = read_array(self.blobs[payload], self.max_elements)
            if tag == "s":
                if array.ndim != 0:
                    raise ProtocolError("a scalar must be a 0-d array")
                return array[()]
            return array
        if tag == "f" and payload in ("nan", "inf", "-inf"):
            return float(payload)
        if tag == "c" and isinstance(payload, list) and len(payload) == 2 \
                and all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in payload):
            return complex(*payload)
        if tag == "g":
            return _generator(payload)
        if tag == "e":
            return Ellipsis
        if tag == "dt" and isinstance(payload, str) and len(payload) < 8:
            try:
                dtype = np.dtype(payload)
            except TypeError:
                raise ProtocolError("an unknown dtype") from None
            if dtype.kind not in ARRAY_KINDS:
                raise ProtocolError("a dtype that is not numeric")
            return dtype
        if tag == "sl" and isinstance(payload, list) and len(payload) == 3:
            parts = [self(p, depth + 1) for p in payload]
            if not all(p is None or type(p) is int for p in parts):
                raise ProtocolError("a slice of something other than integers")
            return slice(*parts)
        if tag in ("h", "r", "m", "n") and self.handle is not None:
            return self.handle(tag, value)
        raise ProtocolError(f"an unknown value tag {tag!r}")


def encode(value, other=None):
    """(json-ready value, blobs)."""
    encoder = Encoder(other)
    return encoder(value), encoder.blobs
