"""The program inside a submission's sandbox: runs the notebook's cells and answers the grader.

Started by nnlab.course.sandbox as `python -I -S agent.py '<limits as JSON>'` with the socket
to the grader on fd 3. It runs every code cell it is sent in one namespace, the notebook's,
and answers requests about the objects there: get a name, call, get or set an attribute,
call a method. Values go back by value when they are data (nnlab.course.wire) and as
handles otherwise; the grader holds proxies to those handles.

Nothing here is trusted by the grader: a submission can change this program while it runs.
It exists to be convenient for correct submissions, not to enforce anything; the grader
checks every message it gets.

Objects that come in from the grader:
- mirrored Parameters ({"m": id}): a local Parameter twin whose data, grad and mask are
  sent back with every reply, so optimizers and clipping work on them in place;
- served parts ({"h": id}): correct layers and functions that run in the grader, bound to
  notebook names while a test checks composed code with correct parts (see `ServedModule`).
"""
import builtins
import copy
import io
import json
import linecache
import os
import socket
import sys
import traceback
import types
import warnings


def main():
    limits = json.loads(sys.argv[1])
    for path in reversed(limits["paths"]):
        sys.path.insert(0, path)
    import numpy as np  # noqa: F401 - imported before any cell, as a notebook's kernel would have
    import wire

    guard = NotAvailable(limits["not_available"])
    _NOT_AVAILABLE.extend(limits["not_available"])
    sys.meta_path.insert(0, guard)
    sock = socket.socket(fileno=limits["fd"])
    Agent(sock, wire, limits, cell_builtins(guard)).serve()


class NotAvailable:
    """Makes `import torch` (and the other names of the policy) fail with a message that says
    why, however it is tried: the code is not in the sandbox anyway."""

    def __init__(self, names):
        self.names = names

    def blocked(self, name):
        return any(name == b or name.startswith(b + ".") for b in self.names)

    def find_spec(self, name, path=None, target=None):
        if self.blocked(name):
            raise ModuleNotFoundError(unavailable(name), name=name)
        return None


def unavailable(name):
    return f"{name} is not available to graded submissions: write the computation yourself with NumPy"


class StandIn:
    """What an `import` statement of a notebook cell gets for a module of the policy's list, so
    that an import the student never uses costs nothing. Any use of it (an attribute's value, a
    call, `from torch import tensor` used later) raises ModuleNotFoundError saying why. It is
    never put in sys.modules, so libraries that look for torch there do not find it."""

    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return StandIn(f"{self._name}.{attribute}")

    def __call__(self, *args, **kwargs):
        root = next((n for n in _NOT_AVAILABLE if self._name == n or self._name.startswith(n + ".")), self._name)
        raise ModuleNotFoundError(f"{unavailable(root)} (you used {self._name})", name=root)

    def __mro_entries__(self, bases):  # class Net(torch.nn.Module): the same message
        self()

    def __repr__(self):
        return f"<{self._name}: not available to graded submissions>"


_NOT_AVAILABLE = []


def cell_builtins(guard):
    """The builtins of the notebook's cells: Python's own, with an __import__ that gives a
    StandIn where `guard` would refuse (library code keeps the real __import__)."""
    real = builtins.__import__

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A001
        if level == 0 and guard.blocked(name):
            top = name.split(".")[0]
            if not guard.blocked(top):  # nnlab.nn: the real nnlab, with a stand-in for nn
                parent = real(top, globals, locals, (), 0)
                stand_in = StandIn(name)
                holder = parent
                for part in name.split(".")[1:-1]:
                    holder = getattr(holder, part)
                setattr(holder, name.rsplit(".", 1)[1], stand_in)
                return stand_in if fromlist else parent
            return StandIn(name) if fromlist else StandIn(top)
        if level == 0 and fromlist:
            module = real(name, globals, locals, (), 0)
            for item in fromlist:  # from nnlab import nn: nn gets a stand-in
                if isinstance(item, str) and guard.blocked(f"{name}.{item}") and not hasattr(module, item):
                    setattr(module, item, StandIn(f"{name}.{item}"))
        return real(name, globals, locals, fromlist, level)

    table = types.ModuleType("builtins")
    table.__dict__.update(vars(builtins))
    table.__import__ = __import__
    return table


class Output(io.TextIOBase):
    """sys.stdout and sys.stderr: keeps the first `limit` characters, counts the rest."""

    def __init__(self, limit):
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
        self.size += len(text)
        return len(text)

    def take(self):
        text = "".join(self.parts)
        if self.size > self.limit:
            text += f"\n[... {self.size - self.limit} more characters of output not kept]"
        self.parts, self.size = [], 0
        return text


class Shell:
    """What `get_ipython()` gives a graded notebook's cells (the grader turns IPython syntax,
    %magics and !commands, into calls of it). There is no IPython kernel here: line magics
    and shell commands do nothing; a cell magic that only times or captures its cell
    (%%time, %%timeit, %%capture) runs the cell once."""

    RUNS_ITS_CELL = ("time", "timeit", "capture", "prun")

    def __init__(self, namespace):
        self.user_ns = namespace

    def get(self):
        return self

    def run_line_magic(self, name, line, *args, **kwargs):
        return None

    def run_cell_magic(self, name, line, cell):
        if name in self.RUNS_ITS_CELL:
            try:  # the cell's own magics and !commands, as IPython would translate them
                from IPython.core.inputtransformer2 import TransformerManager

                cell = TransformerManager().transform_cell(cell)
            except Exception:  # noqa: BLE001 - no IPython, or text it cannot read: compile() reports it
                pass
            exec(compile(cell, f"<cell %%{name}>", "exec"), self.user_ns)  # noqa: S102 - the notebook's own

    def system(self, command, *args, **kwargs):
        return None

    def getoutput(self, command, *args, **kwargs):
        return []


class GraderError(Exception):
    """An error raised on the grader's side while it ran a served part."""


class Agent:
    def __init__(self, sock, wire, limits, cell_builtins=builtins):
        self.sock, self.wire, self.limits = sock, wire, limits
        self.reader = wire.Reader(sock, limits["max_header"], limits["max_message"], limits["max_blobs"])
        self.namespace = {"__name__": "__main__", "__builtins__": cell_builtins}
        self.namespace["get_ipython"] = Shell(self.namespace).get
        self.objects, self.next_id = {}, 1          # handles given to the grader
        self.types_sent = {}                        # type -> token (its methods are sent once)
        self.mirrors, self.mirror_ids = {}, {}      # grader id -> twin Parameter; id(twin) -> grader id
        self.served_saved = {}                      # notebook names replaced by served parts
        self.seq = 0
        self.output = Output(limits["output_chars"])
        sys.stdout = sys.stderr = self.output

    # --- the loop ---
    def serve(self):
        self.send({"op": "hello", "pid": os.getpid()})
        while True:
            try:
                header, blobs = self.reader.receive()
            except self.wire.Closed:
                return
            if header.get("op") == "bye":
                return
            self.answer(header, blobs)

    def send(self, header, blobs=()):
        self.wire.send(self.sock, header, blobs)

    def answer(self, header, blobs):
        """Handle one request of the grader and send the reply."""
        encoder = self.wire.Encoder(self.other)
        reply = {"re": header.get("seq"), "ok": True}
        try:
            decode = self.wire.Decoder(blobs, self.limits["max_elements"], self.incoming)
            self.sync_mirrors_in(header.get("mirrors"), decode, header.get("reset_mirrors"))
            for handle in header.get("release", []):
                self.objects.pop(handle, None)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")  # the grader applies the test's own filters to them
                try:
                    reply.update(getattr(self, "op_" + header["op"])(header, decode, encoder))
                finally:
                    reply["warnings"] = [[w.category.__name__, str(w.message)[:300]] for w in caught[:20]]
        except BaseException as error:  # noqa: BLE001 - the grader gets every error as data
            if isinstance(error, KeyboardInterrupt):
                raise
            reply = {"re": header.get("seq"), "ok": False, "warnings": reply.get("warnings", []),
                     **self.describe(error)}
            encoder = self.wire.Encoder(self.other)
        reply["mirrors"] = self.mirrors_out(encoder)
        reply["output"] = self.output.take()
        self.send(reply, encoder.blobs)

    def describe(self, error):
        """An error as data: its type, message and the notebook's part of its traceback."""
        limit = self.limits["text_chars"]
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("<cell")]
        text = "".join(traceback.format_list(frames))
        try:
            message = str(error)
        except Exception:  # noqa: BLE001 - a __str__ that raises
            message = "(the error's message could not be read)"
        return {"error": type(error).__name__, "builtin": type(error).__module__ == "builtins",
                "message": message[:limit], "traceback": text[-limit:]}

    # --- values ---
    def other(self, value, encode):
        """Encode what is not plain data: a twin Parameter as its grader id, iterators and
        subclasses of list, tuple, int, float and str as what they hold, anything else as a
        handle the grader can send requests to."""
        import numpy as np

        key = self.mirror_ids.get(id(value))
        if key is not None and self.mirrors.get(key) is value:
            return {"m": key}
        if isinstance(value, np.ndarray) and value.dtype.kind in "biufc" and value.dtype.names is None:
            return encode(np.asarray(value))  # an ndarray subclass: its plain array
        if isinstance(value, (list, tuple)) and not isinstance(value, np.ndarray):
            items = [encode(v) for v in value]
            return {"l": items} if isinstance(value, list) else {"t": items}
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, str):
            return str(value)
        if isinstance(value, (types.GeneratorType, range, map, zip, filter,
                              type({}.keys()), type({}.values()), type({}.items()))):
            return {"l": [encode(v) for v in value]}
        return self.handle(value)

    def handle(self, value):
        handle = self.next_id
        self.next_id += 1
        self.objects[handle] = value
        cls = type(value)
        encoded = {"h": handle, "k": self.types_sent.get(cls), "callable": callable(value)}
        if encoded["k"] is None:
            encoded["k"] = self.types_sent[cls] = len(self.types_sent) + 1
            methods = []
            for name in dir(cls):
                if name.startswith("__"):
                    continue
                try:
                    attribute = getattr(cls, name)
                except Exception:  # noqa: BLE001 - a descriptor that raises
                    continue
                if isinstance(attribute, (types.FunctionType, types.MethodDescriptorType,
                                          types.BuiltinFunctionType, classmethod, staticmethod)) \
                        or (callable(attribute) and not isinstance(attribute, (type, property))):
                    methods.append(name)
            encoded.update({"kn": str(getattr(cls, "__name__", "object"))[:100], "km": methods[:500]})
        return encoded

    def incoming(self, tag, value):
        """Proxies for what the grader sends that is not data."""
        if tag == "r":
            if value["r"] not in self.objects:
                raise ValueError("a handle that this notebook never gave out")
            return self.objects[value["r"]]
        if tag == "m":
            return self.mirror(value["m"])
        if tag == "n":
            return self.target({"name": value["n"]}, None)
        return GraderObject(self, value["h"])

    # --- mirrored Parameters ---
    def mirror(self, key):
        if key not in self.mirrors:
            from nnlab.module import Parameter

            twin = Parameter.__new__(Parameter)
            twin.data = twin.grad = None
            twin.mask = None
            self.mirrors[key] = twin
            self.mirror_ids[id(twin)] = key
        return self.mirrors[key]

    def sync_mirrors_in(self, mirrors, decode, reset):
        if reset:
            self.mirrors, self.mirror_ids = {}, {}
        for key, fields in (mirrors or {}).items():
            twin = self.mirror(int(key))
            for name in ("data", "grad", "mask"):
                if name in fields:
                    setattr(twin, name, decode(fields[name]))

    def mirrors_out(self, encoder):
        out = {}
        for key, twin in self.mirrors.items():
            fields = {}
            for name in ("data", "grad", "mask"):
                value = getattr(twin, name, None)
                try:
                    fields[name] = encoder(value)
                except TypeError:
                    fields[name] = None
            out[str(key)] = fields
        return out

    # --- requests of the grader ---
    def op_run(self, header, decode, encoder):
        """Execute one notebook cell; report the requested notebook names."""
        name = f"<cell {header.get('cell', '')}>"
        linecache.cache[name] = (len(header["code"]), None, header["code"].splitlines(True), name)  # for tracebacks
        code = compile(header["code"], name, "exec")
        result = {}
        try:
            exec(code, self.namespace)  # noqa: S102 - this is the student's own notebook
        finally:
            result["names"] = self.names(header.get("names", []), encoder)
        return result

    def names(self, wanted, encoder):
        """{name: {"d": value}} for notebook names that hold data, {name: {"o": type name}} for
        the others (functions, classes, objects); missing names are left out."""
        found = {}
        for name in wanted:
            if name not in self.namespace:
                continue
            value = self.namespace[name]
            try:
                found[name] = {"d": encoder.plain(value)}
            except TypeError:
                found[name] = {"o": str(type(value).__name__)[:50]}
        return found

    def op_names(self, header, decode, encoder):
        return {"names": self.names(header["names"], encoder)}

    def target(self, spec, decode):
        if "name" in spec:
            if spec["name"] not in self.namespace:
                raise NameError(f"name {spec['name']!r} is not defined in your notebook "
                                "(was its cell deleted, renamed or did it fail?)")
            return self.namespace[spec["name"]]
        return decode(spec)

    def value(self, encoder, value):
        return {"value": encoder(value)}

    def op_call(self, header, decode, encoder):
        function = self.target(header["target"], decode)
        args = decode(header.get("args", {"l": []}))
        kwargs = decode(header.get("kwargs", {"d": []}))
        return self.value(encoder, function(*args, **kwargs))

    def op_method(self, header, decode, encoder):
        obj = self.target(header["target"], decode)
        args = decode(header.get("args", {"l": []}))
        kwargs = decode(header.get("kwargs", {"d": []}))
        return self.value(encoder, getattr(obj, header["name"])(*args, **kwargs))

    def op_getattr(self, header, decode, encoder):
        return self.value(encoder, getattr(self.target(header["target"], decode), header["name"]))

    def op_setattr(self, header, decode, encoder):
        setattr(self.target(header["target"], decode), header["name"], decode(header["value"]))
        return {"value": None}

    def op_serve(self, header, decode, encoder):
        """Bind served parts to notebook names (the names' own values are kept to restore)."""
        for name, spec in header["parts"].items():
            if name not in self.served_saved:
                self.served_saved[name] = self.namespace.get(name, _MISSING)
            self.namespace[name] = GraderObject(self, spec["h"], name=name)
        return {}

    def op_unserve(self, header, decode, encoder):
        for name, value in self.served_saved.items():
            if value is _MISSING:
                self.namespace.pop(name, None)
            else:
                self.namespace[name] = value
        self.served_saved = {}
        return {}

    def op_ping(self, header, decode, encoder):
        return {}

    # --- requests to the grader (served parts) ---
    def ask(self, header, values):
        """Send a request to the grader; answer its nested requests until the reply comes."""
        self.seq += 1
        header["seq"] = -self.seq  # negative: the sandbox's own requests
        encoder = self.wire.Encoder(self.other)
        for key, value in values.items():
            header[key] = encoder(value)
        header["mirrors"] = self.mirrors_out(encoder)
        self.send(header, encoder.blobs)
        while True:
            reply, blobs = self.reader.receive()
            if "re" not in reply:
                if reply.get("op") == "bye":
                    os._exit(0)
                self.answer(reply, blobs)
                continue
            decode = self.wire.Decoder(blobs, self.limits["max_elements"], self.incoming)
            self.sync_mirrors_in(reply.get("mirrors"), decode, False)
            if not reply.get("ok"):
                raise GraderError(reply.get("message", "the grader could not run a correct part"))
            return decode(reply.get("value")), reply, decode


_MISSING = object()


class GraderObject:
    """A correct part served by the grader: calling it runs it there.

    What it returns comes back as data, or, for a layer, as a ServedModule whose
    parameters live here in the notebook (so optimizers and zero_grad work on them) and
    whose forward/backward run in the grader.
    """

    def __init__(self, agent, handle, name=None):
        self._agent, self._handle, self._name = agent, handle, name

    def __call__(self, *args, **kwargs):
        value, reply, decode = self._agent.ask({"op": "call", "target": {"r": self._handle}},
                                               {"args": list(args), "kwargs": dict(kwargs)})
        if reply.get("module"):
            return ServedModule.build(self._agent, reply["module"], decode)
        return value

    def __repr__(self):
        return f"<correct {self._name or 'part'} served by the grader>"


def served_base():
    from nnlab.module import Module

    return Module


class ServedModule:
    """Factory of stand-ins for layers that run in the grader (see GraderObject)."""

    classes = {}

    @classmethod
    def build(cls, agent, spec, decode):
        from nnlab.module import Parameter

        name = spec["class"]
        key = (name, tuple(spec["methods"]))
        if key not in cls.classes:
            body = {m: _served_method(m) for m in spec["methods"]}
            body.update({"__copy__": _served_copy(False), "__deepcopy__": _served_copy(True),
                         "__repr__": lambda self: f"{type(self).__name__}() (a correct layer served by the grader)"})
            cls.classes[key] = type(name, (served_base(),), body)
        module = cls.classes[key].__new__(cls.classes[key])
        params = decode(spec["params"])
        object.__setattr__(module, "_served", {"agent": agent, "id": spec["id"], "params": list(params)})
        for attr, value in decode(spec["attributes"]).items():
            object.__setattr__(module, attr, value)
        for attr, data in params.items():
            object.__setattr__(module, attr, Parameter(data))
        return module


def _served_call(module, method, args, kwargs):
    from nnlab.module import Parameter

    served = module._served
    params = {}
    for attr in served["params"]:
        p = getattr(module, attr, None)
        if not isinstance(p, Parameter):
            raise TypeError(f"{type(module).__name__}.{attr} must stay a Parameter")
        params[attr] = p.data
    value, reply, decode = served["agent"].ask(
        {"op": "smethod", "module": served["id"], "method": method},
        {"args": list(args), "kwargs": dict(kwargs), "params": params,
         "training": bool(getattr(module, "training", True))})
    for attr, grad in decode(reply.get("grads", {"d": []})).items():
        p = getattr(module, attr)
        if p.grad is not None and np_shape(p.grad) == np_shape(grad):
            p.grad += grad
        else:
            p.grad = grad
    for attr, data in decode(reply.get("data", {"d": []})).items():
        getattr(module, attr).data = data
    if reply.get("module"):
        return ServedModule.build(served["agent"], reply["module"], decode)
    return value


def np_shape(array):
    import numpy as np

    return np.shape(array)


def _served_method(method):
    def call(self, *args, **kwargs):
        return _served_call(self, method, args, kwargs)

    call.__name__ = method
    return call


def _served_copy(deep):
    def duplicate(self, memo=None):
        served = self._served
        _, reply, decode = served["agent"].ask({"op": "scopy", "module": served["id"]}, {})
        clone = type(self).__new__(type(self))
        for attr, value in vars(self).items():
            if attr == "_served":
                continue
            object.__setattr__(clone, attr, copy.deepcopy(value, memo) if deep else value)
        object.__setattr__(clone, "_served", {**served, "id": reply["copy"]})
        return clone

    return duplicate


if __name__ == "__main__":
    main()
