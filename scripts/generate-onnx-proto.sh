#!/bin/sh
# Dev-time only: regenerates src/io/onnx/generated/onnx_pb.ts from the vendored onnx.proto.
#
# The schema is ONNX 1.12's onnx.proto (IR version 8, SPDX Apache-2.0), copied from Debian's python3-onnx
# (/usr/lib/python3/dist-packages/onnx/onnx.proto). Files written for newer IR versions still decode: the
# fields added since (node/graph metadata_props, overloads, device configurations) are skipped as unknown,
# and new tensor data types arrive as plain numbers, which src/io/onnx/tensor-types.ts sizes.
#
# The generator (protoc-gen-es, run by buf) is pinned here and fetched by npx only when this script runs;
# the output is committed, so neither users nor CI need it. Runtime dependency: @bufbuild/protobuf only.
set -eu
cd "$(dirname "$0")/../src/io/onnx/generated"
npx --yes -p @bufbuild/buf@1.75.0 -p @bufbuild/protoc-gen-es@2.17.0 -- \
  buf generate . --template '{"version":"v2","plugins":[{"local":"protoc-gen-es","out":".","opt":["target=ts","import_extension=js"]}]}'
