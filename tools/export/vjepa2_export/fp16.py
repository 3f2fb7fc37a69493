"""fp32 -> fp16 conversion of an exported ONNX graph (torch 1.13 cannot trace half ops on CPU).

Every node computes in float16 except the nodes whose name matches the regex `keep_fp32` (torch >= 1.13
writes module scopes into node names, e.g. '/poses/Add_3', '/energy/ReduceMean'); float tensors crossing
between the two get a Cast.  Graph inputs/outputs get the dtypes of the contract.  Initializers become
float16 unless only fp32 nodes use them.  Constant / ConstantOfShape values and Cast targets follow the
node's domain.  LayerNormalization keeps its default stash_type=1 (statistics in float32).
"""

from __future__ import annotations

import re
from typing import Dict, Set

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16


def _float_tensor_types(model: onnx.ModelProto) -> Dict[str, int]:
    """elem_type of every tensor, from shape inference on a copy without initializer payloads
    (works for >2 GB models too: shape inference only needs dims and data types)."""
    stripped = onnx.ModelProto()
    for field in ("ir_version", "producer_name", "producer_version"):
        setattr(stripped, field, getattr(model, field))
    stripped.opset_import.extend(model.opset_import)
    g = stripped.graph
    g.name = model.graph.name
    g.node.extend(model.graph.node)
    g.input.extend(model.graph.input)
    g.output.extend(model.graph.output)
    for init in model.graph.initializer:
        g.initializer.append(TensorProto(name=init.name, dims=init.dims, data_type=init.data_type))
    inferred = onnx.shape_inference.infer_shapes(stripped)
    types = {}
    g = inferred.graph
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        types[vi.name] = vi.type.tensor_type.elem_type
    for init in g.initializer:
        types[init.name] = init.data_type
    return types


def _to_f16_tensor(t: TensorProto) -> TensorProto:
    arr = numpy_helper.to_array(t).astype(np.float16)
    return numpy_helper.from_array(arr, t.name)


def convert_to_fp16(model: onnx.ModelProto, fp16_io: Set[str], keep_fp32: str = r"(?!)") -> onnx.ModelProto:
    keep = re.compile(keep_fp32)
    types = _float_tensor_types(model)
    g = model.graph
    is_float = lambda name: types.get(name) == F32  # noqa: E731

    def domain(node) -> int:
        return F32 if keep.search(node.name) else F16

    # dtype each float tensor will have after conversion
    new_type: Dict[str, int] = {}
    for vi in g.input:
        if is_float(vi.name):
            new_type[vi.name] = F16 if vi.name in fp16_io else F32
    consumers: Dict[str, list] = {}
    for node in g.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)
    init_names = set()
    for init in g.initializer:
        init_names.add(init.name)
        if init.data_type == F32:
            doms = [domain(n) for n in consumers.get(init.name, [])]
            new_type[init.name] = F16 if doms and all(d == F16 for d in doms) else F32
    for node in g.node:
        d = domain(node)
        for o in node.output:
            if is_float(o):
                new_type[o] = d

    # convert initializers
    for idx, init in enumerate(g.initializer):
        if init.data_type == F32 and new_type[init.name] == F16:
            g.initializer[idx].CopyFrom(_to_f16_tensor(init))

    new_nodes = []
    cast_cache: Dict[tuple, str] = {}

    def cast(name: str, to: int) -> str:
        key = (name, to)
        if key not in cast_cache:
            out = f"{name}__to_{'f16' if to == F16 else 'f32'}"
            new_nodes.append(helper.make_node("Cast", [name], [out], to=to, name=f"{out}_cast"))
            cast_cache[key] = out
        return cast_cache[key]

    for node in list(g.node):
        d = domain(node)
        if d == F16:
            if node.op_type == "Cast":
                to = [a for a in node.attribute if a.name == "to"][0]
                if to.i == F32:
                    to.i = F16
            elif node.op_type in ("Constant", "ConstantOfShape"):
                for a in node.attribute:
                    if a.name == "value" and a.t.data_type == F32:
                        a.t.CopyFrom(_to_f16_tensor(a.t))
        for j, inp in enumerate(node.input):
            if inp and inp in new_type and new_type[inp] != d and node.op_type not in ("Shape", "Size"):
                if node.op_type == "Cast":
                    continue  # a Cast accepts any input type
                node.input[j] = cast(inp, d)
        new_nodes.append(node)

    # graph outputs with the contract dtype
    for out in g.output:
        want = F16 if out.name in fp16_io else F32
        have = new_type.get(out.name)
        if have is not None and have != want:
            src = out.name + "__pre_cast"
            for n in new_nodes:
                for k, o in enumerate(n.output):
                    if o == out.name:
                        n.output[k] = src
                for k, i in enumerate(n.input):
                    if i == out.name:
                        n.input[k] = src
            new_nodes.append(helper.make_node("Cast", [src], [out.name], to=want, name=out.name + "_cast"))
            new_type[src] = have
        if have is not None:
            out.type.tensor_type.elem_type = want
    for vi in g.input:
        if vi.name in new_type:
            vi.type.tensor_type.elem_type = new_type[vi.name]
    for vi in g.value_info:
        if vi.name in new_type:
            vi.type.tensor_type.elem_type = new_type[vi.name]

    g.ClearField("node")
    g.node.extend(_toposort(new_nodes, [i.name for i in g.input] + list(init_names)))
    return model


def _toposort(nodes, available):
    have = set(available)
    have.add("")
    pending = list(nodes)
    ordered = []
    while pending:
        rest = []
        for n in pending:
            if all(i in have for i in n.input):
                ordered.append(n)
                have.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise RuntimeError("fp16 conversion produced a cyclic/unsatisfiable graph: " + rest[0].name)
        pending = rest
    return ordered
