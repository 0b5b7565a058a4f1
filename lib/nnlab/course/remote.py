"""The grader's side of the channel: proxies for the notebook's objects, and what it serves.

Test code runs in the grader's process against *proxies*: `Linear(3, 2)` in a test, where
`Linear` is the student's, sends "call Linear" to the sandbox and gets back a `Remote`
handle; `layer.forward(x)` sends x by value and gets the output back by value (plain
floats and arrays decoded by nnlab.course.wire, never objects of the student's). A
proxy forwards calls, attribute reads and writes, and nothing else: no arithmetic, no
comparison, no truth value, no container protocol, no dunder attribute, so a student
object can never stand in for a number inside a test.

What goes the other way is data too, with two exceptions that the grader controls:
- a `Parameter` of the grader passed to student code (an optimizer's parameters, the
  gradients to clip) is *mirrored*: the sandbox works on a twin, and data, grad and mask
  travel with every request and every reply, so in-place updates are seen on both sides;
- *served parts*: while `composed` checks the student's network with correct layers in
  place of theirs, those layers run here and the sandbox calls them (`Link.serve`). Only
  the served callables and the modules they return can be called, only their own methods,
  only while that check runs.
"""
import builtins
import copy
import time
import warnings
import weakref

import numpy as np

from . import policy, wire


class SandboxGone(BaseException):
    """The submission's process died or broke the protocol; no test can go on with it.
    A BaseException, like the next one, so that a test's `except Exception` cannot swallow it."""


class TestTimeout(BaseException):
    """A test ran past its time limit."""


class StudentCodeError(Exception):
    """An exception of a type the submission defined itself (its name is not trusted)."""


_EXCEPTIONS = {name: value for name, value in vars(builtins).items()
               if isinstance(value, type) and issubclass(value, Exception)}


def remote_exception(reply, limit=policy.TEXT_CHARS):
    """The exception to raise in the test for an error reply of the sandbox."""
    name = reply.get("error") if isinstance(reply.get("error"), str) else ""
    message = reply.get("message") if isinstance(reply.get("message"), str) else ""
    trace = reply.get("traceback") if isinstance(reply.get("traceback"), str) else ""
    cls = _EXCEPTIONS.get(name) if reply.get("builtin") is True else None
    if cls is None:
        error = StudentCodeError(f"{name[:60]}: {message[:limit]}" if name else message[:limit])
    else:
        try:
            error = cls(message[:limit])
        except Exception:  # noqa: BLE001 - a builtin with another constructor (UnicodeError ...)
            error = StudentCodeError(f"{name}: {message[:limit]}")
    error.nnlab_remote = {"type": name[:60] if cls else "an error of the notebook's own type",
                          "traceback": trace[-limit:]}
    return error


_WARNINGS = {name: value for name, value in vars(builtins).items()
             if isinstance(value, type) and issubclass(value, Warning)}


def reemit_warnings(caught):
    """Warnings the notebook's code raised, raised again here, under the test's filters (a
    test that turns warnings into errors sees the student's overflow as an error)."""
    if not isinstance(caught, list):
        return
    for item in caught[:20]:
        if isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item):
            category = _WARNINGS.get(item[0], UserWarning)
            warnings.warn_explicit(item[1][:300], category, "<your code>", 0)


class TypeInfo:
    __slots__ = ("name", "methods")

    def __init__(self, name, methods):
        self.name, self.methods = name, frozenset(methods)


class Remote:
    """An object that lives in the notebook; every use of it is a request to the sandbox."""

    __slots__ = ("_link", "_ref", "_type", "__weakref__")

    def __init__(self, link, ref, type_info=None):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_type", type_info)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._type is not None and name in self._type.methods:
            return RemoteMethod(self, name)
        return self._link.request("getattr", target=self._ref, name=name)

    def __setattr__(self, name, value):
        self._link.request("setattr", target=self._ref, name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._link.request("call", target=self._ref, args=list(args), kwargs=kwargs)

    def __bool__(self):
        raise TypeError(f"{self!r} has no truth value in a test: compare one of its values instead")

    def __repr__(self):
        if "name" in self._ref:
            return f"<{self._ref['name']} of the notebook>"
        return f"<{self._type.name if self._type else 'an'} object of the notebook>"

    def __reduce__(self):
        raise TypeError("an object of the notebook cannot be copied or pickled in the grader")


class RemoteMethod:
    """obj.method of a notebook object: calling it is one request."""

    __slots__ = ("owner", "name")

    def __init__(self, owner, name):
        self.owner, self.name = owner, name

    def __call__(self, *args, **kwargs):
        owner = self.owner
        return owner._link.request("method", target=owner._ref, name=self.name, args=list(args), kwargs=kwargs)

    def __repr__(self):
        return f"<method {self.name} of {self.owner!r}>"


def remote_name(link, name):
    """A notebook global, looked up by name at every use (so that served parts replace it)."""
    return Remote(link, {"name": name})


class Link:
    """One sandbox's channel, seen from the grader."""

    def __init__(self, sock, process=None):
        self.sock, self.process = sock, process
        self.reader = wire.Reader(sock, policy.MESSAGE_HEADER_BYTES, policy.MESSAGE_BYTES, policy.MESSAGE_ARRAYS)
        self.seq = 0
        self.types = {}
        self.released = []
        self.deadline = None
        self.output = []
        self.gone = None            # why the sandbox can no longer be used
        self.round_trips = 0
        self._mirrors, self._mirror_keys, self._synced = {}, {}, {}
        self._reset_mirrors = False
        self._served, self._modules, self._serving = {}, {}, False
        self._next_export = 1

    # --- lifecycle ---
    def hello(self, timeout):
        header, _ = self._receive(time.monotonic() + timeout)
        if header.get("op") != "hello":
            raise SandboxGone("the sandbox did not start properly")

    def fail(self, why):
        if self.gone is None:
            self.gone = why
        raise SandboxGone(self.gone)

    # --- values ---
    def _encode_other(self, value, encode):
        from nnlab.module import Parameter

        if isinstance(value, Remote):
            if value._link is not self:
                raise TypeError("an object of another notebook")
            return value._ref
        if isinstance(value, Parameter):
            key = self._mirror_keys.get(id(value))
            if key is None or self._mirrors.get(key) is not value:
                key = self._new_id()
                self._mirrors[key], self._mirror_keys[id(value)] = value, key
            return {"m": key}
        raise TypeError(f"a {type(value).__name__} cannot be passed to the notebook's code: only numbers, "
                        "strings, arrays, lists, tuples and dicts of them, Parameters and random generators")

    def _new_id(self):
        self._next_export += 1
        return self._next_export

    def _decode_handle(self, tag, value):
        if tag == "h":
            handle = value.get("h")
            token = value.get("k")
            if type(handle) is not int or type(token) is not int:
                raise wire.ProtocolError("a malformed handle")
            if "kn" in value:
                name, methods = value.get("kn"), value.get("km")
                if not isinstance(name, str) or not isinstance(methods, list) or \
                        not all(isinstance(m, str) and m.isidentifier() and not m.startswith("__") for m in methods):
                    raise wire.ProtocolError("a malformed type description")
                self.types[token] = TypeInfo(name[:100], methods[:500])
            proxy = Remote(self, {"r": handle}, self.types.get(token))
            weakref.finalize(proxy, self.released.append, handle)
            return proxy
        if tag == "m":
            key = value.get("m")
            if key not in self._mirrors:
                raise wire.ProtocolError("a mirrored Parameter the grader never sent")
            return self._mirrors[key]
        raise wire.ProtocolError(f"the notebook may not send {tag!r} values")

    def _decoder(self, blobs):
        return wire.Decoder(blobs, policy.ARRAY_ELEMENTS, self._decode_handle)

    # --- mirrored Parameters ---
    def reset_mirrors(self):
        self._mirrors, self._mirror_keys, self._synced = {}, {}, {}
        self._reset_mirrors = True

    def _mirrors_to_send(self, encode):
        out = {}
        for key, p in list(self._mirrors.items()):
            fields = {name: getattr(p, name, None) for name in ("data", "grad", "mask")}
            last = self._synced.get(key)
            if last is not None and all(_same(fields[n], last[n]) for n in fields):
                continue
            out[str(key)] = {n: encode(v) for n, v in fields.items()}
            self._synced[key] = _snapshot(fields)
        return out

    def _apply_mirrors(self, mirrors, decode):
        if not isinstance(mirrors, dict):
            raise wire.ProtocolError("malformed mirrors")
        for key, fields in mirrors.items():
            p = self._mirrors.get(int(key)) if str(key).isdigit() else None
            if p is None or not isinstance(fields, dict):
                raise wire.ProtocolError("a mirror the grader never sent")
            for name in ("data", "grad", "mask"):
                if name in fields:
                    value = decode(fields[name])
                    if value is not None and not isinstance(value, np.ndarray):
                        value = np.asarray(value)
                    setattr(p, name, value)
            self._synced[int(key)] = _snapshot({n: getattr(p, n, None) for n in ("data", "grad", "mask")})

    # --- requests ---
    def request(self, op, **fields):
        """Send one request to the sandbox, serve its requests meanwhile, return the value."""
        if self.gone is not None:
            raise SandboxGone(self.gone)
        self.seq += 1
        encoder = wire.Encoder(self._encode_other)
        header = {"op": op, "seq": self.seq}
        try:
            for key, value in fields.items():
                header[key] = value if key in ("name", "code", "cell", "names", "target") else encoder(value)
        except RecursionError:
            raise TypeError("a value nested too deeply to send") from None
        if self.released:
            header["release"], self.released = self.released[:1000], self.released[1000:]
        if self._reset_mirrors:
            header["reset_mirrors"], self._reset_mirrors = True, False
        header["mirrors"] = self._mirrors_to_send(encoder)
        try:
            wire.send(self.sock, header, encoder.blobs)
            return self._await(self.seq)
        except wire.Timeout:
            self.gone = "timeout"
            raise TestTimeout("the notebook's code did not answer in time") from None
        except wire.ProtocolError as error:
            self.fail(f"the notebook's process broke the protocol or died ({error})")

    def _receive(self, deadline):
        header, blobs = self.reader.receive(deadline)
        self.round_trips += 1
        return header, blobs

    def _await(self, seq):
        while True:
            header, blobs = self._receive(self.deadline)
            if "re" not in header:
                self._serve_request(header, blobs)
                continue
            if header.get("re") != seq or not isinstance(header.get("ok"), bool):
                raise wire.ProtocolError("an unexpected reply")
            decode = self._decoder(blobs)
            output = header.get("output", "")
            if isinstance(output, str) and output:
                self.output.append(output[:policy.OUTPUT_CHARS])
            self._apply_mirrors(header.get("mirrors", {}), decode)
            reemit_warnings(header.get("warnings"))
            if not header["ok"]:
                raise remote_exception(header)
            if "names" in header:
                return header["names"], decode
            return decode(header.get("value"))

    # --- serving correct parts ---
    def serve(self, parts):
        """Bind grader-side callables to notebook names until `unserve`."""
        specs = {}
        for name, part in parts.items():
            if not callable(part):
                raise TypeError(f"the correct part {name} must be callable")
            key = self._new_id()
            self._served[key] = part
            specs[name] = {"h": key}
        self._serving = True
        self._request_plain("serve", parts=specs)

    def unserve(self):
        self._serving = False
        self._served, self._modules = {}, {}
        if self.gone is None:
            self._request_plain("unserve")

    def _request_plain(self, op, **fields):
        """A request whose fields are already JSON (no values to encode)."""
        if self.gone is not None:
            raise SandboxGone(self.gone)
        self.seq += 1
        try:
            wire.send(self.sock, {"op": op, "seq": self.seq, **fields})
            return self._await(self.seq)
        except wire.Timeout:
            self.gone = "timeout"
            raise TestTimeout("the notebook's code did not answer in time") from None
        except wire.ProtocolError as error:
            self.fail(f"the notebook's process broke the protocol or died ({error})")

    def _serve_request(self, header, blobs):
        """A request of the sandbox: only calls of served parts, while they are served."""
        seq = header.get("seq")
        if type(seq) is not int or seq >= 0:
            raise wire.ProtocolError("a request without a valid number")
        encoder = wire.Encoder(self._encode_other)
        reply = {"re": seq, "ok": True}
        try:
            if not self._serving:
                raise PermissionError("correct parts are served only while a test checks composed code")
            decode = self._decoder(blobs)
            self._apply_mirrors(header.get("mirrors", {}), decode)
            op = header.get("op")
            if op == "call":
                target = header.get("target")
                key = target.get("r") if isinstance(target, dict) else None
                if key not in self._served:
                    raise PermissionError("only served parts can be called")
                args, kwargs = decode(header.get("args", {"l": []})), decode(header.get("kwargs", {"d": []}))
                if not isinstance(args, list) or not isinstance(kwargs, dict) or \
                        not all(isinstance(k, str) for k in kwargs):
                    raise wire.ProtocolError("malformed arguments")
                reply.update(self._result(self._served[key](*args, **kwargs), encoder))
            elif op == "smethod":
                reply.update(self._served_method(header, decode, encoder))
            elif op == "scopy":
                module = self._modules.get(header.get("module"))
                if module is None:
                    raise PermissionError("not a served module")
                key = self._new_id()
                self._modules[key] = (copy.deepcopy(module[0]), module[1])
                reply["copy"] = key
            else:
                raise PermissionError(f"the notebook may not ask for {op!r}")
        except wire.ProtocolError:
            raise
        except (SandboxGone, TestTimeout):
            raise
        except Exception as error:  # noqa: BLE001 - the served part's error goes back as data
            reply = {"re": seq, "ok": False, "error": type(error).__name__, "message": str(error)[:500]}
            encoder = wire.Encoder(self._encode_other)
        reply["mirrors"] = self._mirrors_to_send(encoder)
        wire.send(self.sock, reply, encoder.blobs)

    def _result(self, value, encoder):
        from nnlab.module import Module

        if isinstance(value, Module):
            return {"module": self._register_module(value, encoder)}
        return {"value": encoder(value)}

    def _register_module(self, module, encoder):
        from nnlab.module import Module, Parameter

        params, attributes = {}, {}
        for attr, value in vars(module).items():
            if isinstance(value, Parameter):
                params[attr] = value.data
            elif isinstance(value, Module):
                raise TypeError(f"a served part must keep its Parameters as its own attributes "
                                f"({type(module).__name__}.{attr} is a module)")
            elif not attr.startswith("_"):
                try:
                    encoder.plain(value)
                    attributes[attr] = value
                except TypeError:
                    pass  # stays in the grader
        methods = sorted(name for name in dir(type(module)) if not name.startswith("_")
                         and callable(getattr(type(module), name, None))
                         and getattr(type(module), name) is not getattr(Module, name, None))
        key = self._new_id()
        self._modules[key] = (module, frozenset(methods))
        return {"id": key, "class": type(module).__name__, "methods": methods,
                "params": encoder(params), "attributes": encoder(attributes)}

    def _served_method(self, header, decode, encoder):
        from nnlab.module import Parameter

        entry = self._modules.get(header.get("module"))
        method = header.get("method")
        if entry is None or method not in entry[1]:
            raise PermissionError("not a method of a served module")
        module = entry[0]
        params = decode(header.get("params", {"d": []}))
        args, kwargs = decode(header.get("args", {"l": []})), decode(header.get("kwargs", {"d": []}))
        if not isinstance(params, dict) or not isinstance(args, list) or not isinstance(kwargs, dict) \
                or not all(isinstance(k, str) for k in kwargs):
            raise wire.ProtocolError("malformed arguments")
        sent = {}
        for attr, data in params.items():
            p = getattr(module, attr, None) if isinstance(attr, str) else None
            if not isinstance(p, Parameter) or not isinstance(data, np.ndarray):
                raise TypeError(f"{type(module).__name__} has no parameter {attr!r}")
            p.data, p.grad = data, np.zeros_like(data)
            sent[attr] = data
        module.training = bool(decode(header.get("training", True)))
        result = self._result(getattr(module, method)(*args, **kwargs), encoder)
        grads = {a: getattr(module, a).grad for a in sent if np.any(getattr(module, a).grad)}
        changed = {a: getattr(module, a).data for a in sent if getattr(module, a).data is not sent[a]}
        return {**result, "grads": encoder(grads), "data": encoder(changed)}


def _same(a, b):
    if a is None or b is None:
        return a is b
    return a is b[0] and np.array_equal(a, b[1]) if isinstance(b, tuple) else False


def _snapshot(fields):
    return {n: None if v is None else (v, np.array(v, copy=True)) for n, v in fields.items()}

