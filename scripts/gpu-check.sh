#!/usr/bin/env bash
# The one prepared GPU measurement (docs/performance.md, "GPU check"): on a machine with an NVIDIA GPU and no
# internet, in about 8 minutes, it
#   1. says what it runs with: the GPU (name, memory, nominal and measured HBM bandwidth), Node, ONNX Runtime, CUDA;
#   2. builds a random-weight Llama with Llemma 7B's shape in float16 (llemma_train.random_checkpoint --model-folder)
#      and its generation.onnx;
#   3. installs onnxruntime-node's CUDA provider as the README says (its libraries beside libonnxruntime.so.1);
#   4. times one 32-beam expansion through the product's runtime (scripts/gpuCheck.ts: LocalGenerator, as
#      `llemma candidates` runs it) stepping in JavaScript (8 new tokens) and inside generation.onnx (32), each
#      against the HBM roofline, while `nvidia-smi dmon` samples the PCIe traffic and GPU memory: where the KV cache
#      lives shows as bytes over PCIe during the expansion;
#   5. times the same expansion with transformers' own beam search in PyTorch, as a reference.
#
#   bash scripts/gpu-check.sh                 on the GPU machine
#   bash scripts/gpu-check.sh --pack          on a development machine (node_modules installed): puts what the GPU
#                                             machine may lack into .cache/gpu-check/pack/ (a Node binary, xz'd;
#                                             the bundled check; onnxruntime-node for linux-x64), about 40 MB
#   bash scripts/gpu-check.sh --cpu-dry-run   every step on a tiny float32 model on the CPU: checks this script
#
# Found, in order: Node from $LLEMMA_NODE, `node` on PATH, else the packed one; the CUDA provider beside
# libonnxruntime.so.1, else in $LLEMMA_ORT_CUDA or .cache/gpu-check/ort-cuda/ (libonnxruntime_providers_cuda.so and
# libonnxruntime_providers_shared.so of the same ONNX Runtime version as onnxruntime-node), else in the Python
# onnxruntime package when it is a GPU build of that version, else fetched by onnxruntime-node's installer (network).
# The CUDA libraries come from the system or from PyTorch's nvidia-* wheels. Python: the first of $LLEMMA_PYTHON,
# python3, /usr/bin/python3 with numpy and onnx. What is missing is said, and the rest still runs.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work="${LLEMMA_GPU_CHECK_DIR:-$root/.cache/gpu-check}"
pack="$work/pack"
# The first Python that can build the model folder (numpy and onnx); torch with CUDA is wanted for the GPU's
# figures and the reference, and is looked for in the same one.
python=""
for p in "${LLEMMA_PYTHON:-}" python3 /usr/bin/python3; do
  [[ -n "$p" ]] && "$p" -c 'import numpy, onnx' 2>/dev/null && python="$p" && break
done
mode="${1:-gpu}"
mkdir -p "$work"
say() { printf '%s\n' "$*"; }
started=$SECONDS

if [[ "$mode" == "--pack" ]]; then
  # Built in a scratch folder and moved into place at the end, so an interrupted pack leaves no half a pack.
  next="$pack.next"
  rm -rf "$next" && mkdir -p "$next/node_modules" || exit 1
  node -e "require('esbuild').buildSync({entryPoints:['scripts/gpuCheck.ts'],outfile:'$next/gpuCheck.js',bundle:true,platform:'node',target:'node20',format:'cjs',external:['onnxruntime-node','tsx'],logLevel:'warning'})" || exit 1
  for pkg in onnxruntime-node onnxruntime-common; do
    mkdir -p "$next/node_modules/$pkg"
    cp -r "node_modules/$pkg/package.json" "node_modules/$pkg/dist" "$next/node_modules/$pkg/" || exit 1
    [[ -d "node_modules/$pkg/lib" ]] && cp -r "node_modules/$pkg/lib" "$next/node_modules/$pkg/"
  done
  mkdir -p "$next/node_modules/onnxruntime-node/bin/napi-v6/linux"
  cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$next/node_modules/onnxruntime-node/bin/napi-v6/linux/" || exit 1
  xz -T2 -6 -c "$(command -v node)" >"$next/node.xz" || exit 1
  xz -T2 -6 "$next/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1" || exit 1
  cp model/default/tokenizer.json "$next/tokenizer.json" || exit 1
  rm -rf "$pack" && mv "$next" "$pack" || exit 1
  say "packed $(du -sh "$pack" | cut -f1) into $pack (Node $(node --version), onnxruntime-node $(node -p "require('onnxruntime-node/package.json').version"))"
  say "not packed: the CUDA provider (about 230 MB); put it in $work/ort-cuda/ or set LLEMMA_ORT_CUDA"
  exit 0
fi

dry=0
[[ "$mode" == "--cpu-dry-run" ]] && dry=1
say "== Llemma GPU check ($(date -u +%Y-%m-%dT%H:%MZ), $( ((dry)) && echo 'CPU dry run: a tiny model, no GPU figures' || echo 'GPU'))"
[[ -n "$python" ]] || { say "python: none with numpy and onnx (set LLEMMA_PYTHON)"; exit 1; }
say "python: $python ($("$python" -c 'import sys, numpy, onnx; print(sys.version.split()[0], "numpy", numpy.__version__, "onnx", onnx.__version__)'))"

# --- Node and the bundled check
node_bin="${LLEMMA_NODE:-$(command -v node || true)}"
node_from="${LLEMMA_NODE:+\$LLEMMA_NODE}"
[[ -n "$node_bin" && -z "$node_from" ]] && node_from="PATH"
if [[ -z "$node_bin" && -f "$pack/node.xz" ]]; then
  xz -dc "$pack/node.xz" >"$work/node" && chmod +x "$work/node" && node_bin="$work/node" && node_from="carried in $pack"
fi
# The sources when this checkout has its node_modules (a development machine), else the packed bundle.
if [[ -d "$root/node_modules/tsx" && -d "$root/node_modules/onnxruntime-node" ]]; then
  check=(--import tsx "$root/scripts/gpuCheck.ts")
  ort_pkg="$root/node_modules/onnxruntime-node"
elif [[ -f "$pack/gpuCheck.js" ]]; then
  check=("$pack/gpuCheck.js")
  ort_pkg="$pack/node_modules/onnxruntime-node"
  export NODE_PATH="$pack/node_modules"
  lib="$ort_pkg/bin/napi-v6/linux/x64/libonnxruntime.so.1"
  [[ -f "$lib.xz" && ! -f "$lib" ]] && xz -dk "$lib.xz"
else
  check=()
  ort_pkg="$root/node_modules/onnxruntime-node"
fi
((${#check[@]})) || node_bin=""
if [[ -n "$node_bin" ]]; then
  say "node: $node_bin ($("$node_bin" --version), from $node_from)"
else
  say "node: none usable (no \$LLEMMA_NODE or node on PATH, or neither node_modules nor a pack: run scripts/gpu-check.sh --pack where Node is)"
fi
ort_dir="$ort_pkg/bin/napi-v6/linux/x64"
ort_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$ort_pkg/package.json" 2>/dev/null | head -1)
say "onnxruntime-node: ${ort_version:-not found} ($ort_dir)"

# --- CUDA libraries from PyTorch's wheels, and onnxruntime-node's CUDA provider (README: beside libonnxruntime.so.1)
site=$("$python" -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null)
for s in $site; do
  for lib in "$s"/nvidia/*/lib "$s"/torch/lib; do [[ -d "$lib" ]] && LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"; done
done
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"
ep=cuda
if ((dry)); then
  ep=cpu
elif [[ -f "$ort_dir/libonnxruntime_providers_cuda.so" ]]; then
  say "CUDA provider: installed beside libonnxruntime.so.1"
else
  py_ort=$("$python" -c 'import onnxruntime as o, os; print(o.__version__, os.path.join(os.path.dirname(o.__file__), "capi"))' 2>/dev/null)
  from=""
  for d in "${LLEMMA_ORT_CUDA:-}" "$work/ort-cuda"; do [[ -n "$d" && -f "$d/libonnxruntime_providers_cuda.so" ]] && from="$d" && break; done
  if [[ -z "$from" && -n "$py_ort" && "${py_ort%% *}" == "$ort_version" && -f "${py_ort#* }/libonnxruntime_providers_cuda.so" ]]; then
    from="${py_ort#* }"
  fi
  if [[ -n "$from" ]]; then
    cp "$from/libonnxruntime_providers_cuda.so" "$from/libonnxruntime_providers_shared.so" "$ort_dir/" &&
      say "CUDA provider: copied from $from beside libonnxruntime.so.1 (must be ONNX Runtime $ort_version)"
  elif [[ -n "$node_bin" && -f "$ort_pkg/script/install.js" ]] &&
    (cd "$ort_pkg" && ONNXRUNTIME_NODE_INSTALL=cuda12 timeout 120 "$node_bin" script/install.js >"$work/ort-install.log" 2>&1) &&
    [[ -f "$ort_dir/libonnxruntime_providers_cuda.so" ]]; then
    say "CUDA provider: installed by onnxruntime-node's own installer (ONNXRUNTIME_NODE_INSTALL=cuda12, from NuGet)"
  else
    ep=""
    say "CUDA provider: not found for onnxruntime-node $ort_version (none beside libonnxruntime.so.1, in \$LLEMMA_ORT_CUDA, $work/ort-cuda, or a matching GPU build of Python's onnxruntime, and its installer could not fetch it: $work/ort-install.log${py_ort:+ — it has ${py_ort%% *} without CUDA}): the product's runtime cannot be timed on the GPU"
  fi
fi

# --- The GPU
if ((dry)); then
  hbm=0
else
  device=$("$python" scripts/gpu_check.py device 2>&1 | tail -1)
  say "gpu: $device"
  hbm=$("$python" -c 'import json,sys; d=json.loads(sys.argv[1])["device"]; print(d.get("nominal_gbps") or d.get("copy_gbps") or 0)' "$device" 2>/dev/null || echo 0)
fi

# --- The model folder: random weights, Llemma 7B's shape, float16 (a tiny float32 one for the dry run)
if ((dry)); then
  folder="$work/dry-tiny" shape=(--shape tiny --dtype float32 --set vocab_size=8000)
else
  folder="$work/llemma7b-random-fp16" shape=(--shape 7b --dtype float16 --pad-tokenizer 32016)
fi
tokenizer="$root/model/default/tokenizer.json"
[[ -f "$tokenizer" ]] || tokenizer="$pack/tokenizer.json"
if [[ ! -f "$folder/generation.onnx" ]]; then
  t=$SECONDS
  rm -rf "$folder"
  (cd training/python && PYTHONPATH=. "$python" -m llemma_train.random_checkpoint "$folder" "${shape[@]}" \
    --model-folder --tokenizer "$tokenizer" >/dev/null &&
    PYTHONPATH=. "$python" -m llemma_train.generation_graph "$folder" >/dev/null) || { say "building $folder failed"; exit 1; }
  say "model folder: $folder built in $((SECONDS - t)) s ($(du -sh "$folder" | cut -f1), random weights)"
else
  say "model folder: $folder (reused)"
fi

# --- One 32-beam expansion through the product's runtime, step by step and in generation.onnx
# PCIe traffic and GPU memory while the expansion itself ran (not the model load): nvidia-smi dmon's samples (one a
# second, UTC clock) between the start and end the check recorded; the columns are found by their header names.
dmon_summary() { # log start_ms end_ms
  awk -v t0="$2" -v t1="$3" '
    /^#/ && /rxpci/ { for (i = 1; i <= NF; i++) { c = $i; sub(/^#/, "", c); col[c] = i - 1 } next }
    /^#/ || NF < 3 { next }
    { split($1, hms, ":"); t = (hms[1] * 3600 + hms[2] * 60 + hms[3]) * 1000
      d0 = t0 % 86400000; d1 = t1 % 86400000
      if (t < d0 - 1000 || t > d1 + 1000) next
      n++; rx += $(col["rxpci"] + 1); tx += $(col["txpci"] + 1); if ($(col["fb"] + 1) > fb) fb = $(col["fb"] + 1) }
    END { if (!n) { print "  PCIe: no nvidia-smi dmon sample fell within the expansion (it ran under a second)"; exit }
          printf "  PCIe during the expansion (nvidia-smi dmon, %d one-second samples): %.2f GB/s to the GPU, %.2f GB/s from it on average; GPU memory in use up to %.1f GB\n", n, rx / n / 1000, tx / n / 1000, fb / 1000 }' "$1"
}
if ((dry)); then
  # The parser, on a made-up log in dmon's format: 3 samples, 2 of them inside a window of 02:00:00-02:00:01 UTC.
  sample=$'#Time        gpu     fb   bar1   ccpm  rxpci  txpci\n#HH:MM:SS    Idx     MB     MB     MB   MB/s   MB/s\n01:59:50       0   1000      5      0    100    200\n02:00:00       0   3000      5      0   4000   2000\n02:00:01       0   5000      5      0   6000   4000'
  got=$(dmon_summary <(printf '%s\n' "$sample") 7200000 7201000)
  [[ "$got" == *"2 one-second samples): 5.00 GB/s to the GPU, 3.00 GB/s from it on average; GPU memory in use up to 5.0 GB" ]] &&
    say "dmon parser: checked on a made-up sample" || { say "dmon parser: broken ($got)"; exit 1; }
fi
prompt_tokens=350
if [[ -n "$node_bin" && -n "$ep" ]]; then
  # Step by step, every step moves the whole KV cache across PCIe both ways (about 5 GB at 7B, 32 beams and a
  # 300-token prompt): 8 new tokens keep that run within the time; ms/step is what compares.
  for m in off on; do
    tokens=$([[ $m == off ]] && echo 8 || echo 32)
    log="$work/dmon-$m.log"
    if ((!dry)) && command -v nvidia-smi >/dev/null; then
      TZ=UTC nvidia-smi dmon -s mt -d 1 -o T >"$log" 2>&1 &
      dmon=$!
    fi
    timeout 180 "$node_bin" "${check[@]}" --folder "$folder" --ep "$ep" --modes "$m" --hbm-gbps "$hbm" \
      --new-tokens "$tokens" --beams 32 --json "$work/expansion-$m.json" || say "the $m run failed"
    if [[ -n "${dmon:-}" ]]; then
      kill "$dmon" 2>/dev/null
      wait "$dmon" 2>/dev/null
      window=$(sed -n 's/.*"\(startedAtMs\|endedAtMs\)": \([0-9]*\).*/\2/p' "$work/expansion-$m.json" 2>/dev/null | tr '\n' ' ')
      # shellcheck disable=SC2086
      [[ -n "$window" ]] && dmon_summary "$log" $window
      unset dmon
    fi
  done
  prompt_tokens=$(sed -n 's/.*"promptTokens": \([0-9]*\).*/\1/p' "$work/expansion-off.json" 2>/dev/null | head -1)
  prompt_tokens=${prompt_tokens:-350}
else
  say "product runtime: not timed (${node_bin:+no CUDA provider}${node_bin:-no Node})"
fi

# --- The same expansion with PyTorch and transformers, for reference (skipped when the 8 minutes are nearly spent)
if ((SECONDS - started > 360)); then
  say "transformers: skipped, $((SECONDS - started)) s already spent"
else
  say "transformers (PyTorch, float16, its beam search; prompt $prompt_tokens random ids, 32 beams × 32 tokens):"
  say "  $(timeout 120 "$python" scripts/gpu_check.py baseline --prompt-tokens "$prompt_tokens" --new-tokens 32 --beams 32 2>&1 | tail -1)"
fi
if ((dry)); then
  say "gpu: $("$python" scripts/gpu_check.py device 2>&1 | tail -1) (the dry run asks too)"
fi
say "done in $((SECONDS - started)) s"
