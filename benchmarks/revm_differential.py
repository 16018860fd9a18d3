#!/usr/bin/env python3
"""Differential test of the Swift EVM against revm (PyPI `pyrevm`).

Generates random and structured bytecode programs, runs each as a transaction calling a
contract that holds the program, through both `zkprover evm run` (one batch) and pyrevm,
and compares status, gas used, return data, logs and storage. Prints the mismatches and
the number of programs that ran with none.

Usage:
  pip install pyrevm
  swift build -c release --product zkprover
  python3 benchmarks/revm_differential.py [--count 2000] [--seed 1] [--zkprover .build/release/zkprover]
"""
import argparse
import json
import random
import re
import subprocess
import sys
import tempfile

import pyrevm

CALLER = "0x1000000000000000000000000000000000000001"
CONTRACT = "0x2000000000000000000000000000000000000002"
COINBASE = "0x3000000000000000000000000000000000000003"
SLOTS = 8

EDGE = [0, 1, 2, 3, 31, 32, 255, 256, 2**64 - 1, 2**128, 2**255 - 1, 2**255, 2**256 - 1, 2**256 - 2]
BINARY = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18,
          0x1A, 0x1B, 0x1C, 0x1D]
TERNARY = [0x08, 0x09]
UNARY = [0x15, 0x19]
NULLARY = [0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3A, 0x3D, 0x41, 0x42, 0x43, 0x45, 0x46, 0x47, 0x48, 0x58, 0x59,
           0x5A, 0x5F, 0x4A]


def push(v):
    if v == 0:
        return bytes([0x5F])
    b = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return bytes([0x5F + len(b)]) + b


def rand_value(r):
    k = r.random()
    if k < 0.4:
        return r.choice(EDGE)
    if k < 0.7:
        return r.randrange(0, 256)
    return r.getrandbits(r.choice([8, 64, 128, 256]))


def structured(r):
    """A program that keeps the stack valid and exercises arithmetic, memory, storage, logs."""
    code = bytearray()
    depth = 0
    for _ in range(r.randrange(5, 60)):
        k = r.random()
        if depth < 3 or k < 0.3:
            code += push(rand_value(r))
            depth += 1
        elif k < 0.55:
            code.append(r.choice(BINARY))
            depth -= 1
        elif k < 0.6:
            code.append(r.choice(TERNARY))
            depth -= 2
        elif k < 0.65:
            code.append(r.choice(UNARY))
        elif k < 0.7:
            code.append(r.choice(NULLARY))
            depth += 1
        elif k < 0.75:  # SSTORE value at a small slot
            code += push(r.randrange(SLOTS)) + bytes([0x55])
            depth -= 1
        elif k < 0.8:  # MSTORE at a small offset
            code += push(r.randrange(0, 200)) + bytes([0x52])
            depth -= 1
        elif k < 0.83:  # MLOAD / SLOAD / TLOAD of a small key
            code += push(r.randrange(0, 200 if r.random() < 0.5 else SLOTS)) + bytes([r.choice([0x51, 0x54, 0x5C])])
            depth += 1
        elif k < 0.86:  # KECCAK256 of a memory range
            code += push(r.randrange(0, 100)) + push(r.randrange(0, 100)) + bytes([0x20])
            depth += 1
        elif k < 0.89:  # LOG0..LOG2 with topics from the stack
            n = r.randrange(0, 3)
            if depth >= n:
                code += push(r.randrange(0, 64)) + push(r.randrange(0, 64)) + bytes([0xA0 + n])
                depth -= n
        elif k < 0.91:  # TSTORE
            code += push(r.randrange(SLOTS)) + bytes([0x5D])
            depth -= 1
        elif k < 0.93:  # MCOPY
            code += push(r.randrange(0, 64)) + push(r.randrange(0, 64)) + push(r.randrange(0, 64)) + bytes([0x5E])
        elif k < 0.95:  # DUPn / SWAPn within the stack
            n = r.randrange(1, min(depth, 16) + 1)
            code.append(0x7F + n)
            depth += 1
        elif k < 0.97 and depth >= 2:
            n = r.randrange(1, min(depth - 1, 16) + 1)
            code.append(0x8F + n)
        else:  # CALLDATALOAD / call the identity precompile
            if r.random() < 0.5:
                code += push(r.randrange(0, 40)) + bytes([0x35])
                depth += 1
            else:
                # CALL(gas, 4, 0, in 0, len 32, out 32, len 32)
                code += push(32) + push(32) + push(32) + push(0) + push(0) + push(4) + push(r.choice([0, 100, 5000])) + bytes([0xF1])
                depth += 1
        depth = max(depth, 0)
    end = r.random()
    if end < 0.5:
        code += push(r.randrange(0, 64)) + push(r.randrange(0, 64)) + bytes([0xF3])
    elif end < 0.7:
        code += push(r.randrange(0, 64)) + push(r.randrange(0, 64)) + bytes([0xFD])
    elif end < 0.8:
        code += bytes([0xFE])
    return bytes(code)


def random_bytes(r):
    """Unstructured bytes: invalid opcodes, bad jumps, stack underflow, truncated pushes."""
    n = r.randrange(1, 80)
    b = bytearray(r.getrandbits(8) for _ in range(n))
    # Sprinkle JUMPDESTs and small pushes so some jumps land.
    for _ in range(r.randrange(0, 4)):
        b.insert(r.randrange(len(b) + 1), 0x5B)
    return bytes(b)


def loops(r):
    """A counted loop with a JUMPI back edge and storage writes."""
    n = r.randrange(1, 50)
    body = push(1) + bytes([0x90, 0x03])  # counter - 1
    code = push(n) + bytes([0x5B]) + body + bytes([0x80]) + push(r.randrange(SLOTS)) + bytes([0x55, 0x80]) + push(len(push(n))) + bytes([0x57, 0x00])
    return code


def run_revm(p):
    evm = pyrevm.EVM(spec_id="CANCUN", gas_limit=30_000_000)
    evm.set_block_env(pyrevm.BlockEnv(number=1, coinbase=COINBASE, timestamp=1000, difficulty=0,
                                      prevrandao=bytes(32), basefee=0, gas_limit=30_000_000, excess_blob_gas=0))
    evm.insert_account_info(CALLER, pyrevm.AccountInfo(balance=2**200))
    evm.insert_account_info(CONTRACT, pyrevm.AccountInfo(nonce=1, code=bytes.fromhex(p["code"][2:])))
    out = {"logs": [], "output": "0x"}
    try:
        ret = evm.message_call(CALLER, CONTRACT, calldata=bytes.fromhex(p["calldata"][2:]), value=0,
                               gas=p["gas"], gas_price=0)
        res = evm.result
        out["success"] = True
        out["gas_used"] = res.gas_used
        out["output"] = "0x" + bytes(ret).hex()
        # pyrevm 0.3.7: topics are hex strings, data is (topics, bytes).
        out["logs"] = [{"address": l.address.lower(), "topics": list(l.topics),
                        "data": "0x" + bytes(l.data[1] if isinstance(l.data, tuple) else l.data).hex()} for l in res.logs]
    except RuntimeError as e:
        msg = str(e)
        m = re.search(r"gas_used: (\d+)", msg)
        if not m:
            return {"error": msg}
        out["success"] = False
        out["gas_used"] = int(m.group(1))
        mo = re.search(r"output: 0x([0-9a-f]*)", msg)
        out["output"] = "0x" + (mo.group(1) if mo and msg.startswith("Revert") else "")
    out["storage"] = {hex(k): hex(evm.storage(CONTRACT, k)) for k in range(SLOTS) if evm.storage(CONTRACT, k) != 0}
    return out


def normalise(o):
    return {
        "success": o.get("success"),
        "gas_used": o.get("gas_used"),
        "output": o.get("output", "0x").lower(),
        "logs": [(l["address"].lower(), [hex(int(t, 16)) for t in l["topics"]], l["data"].lower()) for l in o.get("logs", [])],
        "storage": {hex(int(k, 16)): hex(int(v, 16)) for k, v in o.get("storage", {}).items()},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zkprover", default=".build/release/zkprover")
    args = ap.parse_args()
    r = random.Random(args.seed)
    programs = []
    for i in range(args.count):
        k = r.random()
        code = structured(r) if k < 0.75 else (random_bytes(r) if k < 0.92 else loops(r))
        calldata = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 40)))
        gas = r.choice([1_000_000, 1_000_000, 100_000, 30_000, 22_000 + r.randrange(0, 5000)])
        programs.append({"code": "0x" + code.hex(), "calldata": "0x" + calldata.hex(), "gas": gas, "fork": "Cancun"})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(programs, f)
        path = f.name
    ours = [json.loads(l) for l in subprocess.run([args.zkprover, "evm", "run", "--json", path], check=True,
                                                   capture_output=True, text=True).stdout.splitlines()]
    mismatches = 0
    errors = 0
    for p, o in zip(programs, ours):
        theirs = run_revm(p)
        if "error" in theirs or "error" in o:
            errors += 1
            print(f"ERROR program {o['index']}: ours={o.get('error')} revm={theirs.get('error')} code={p['code']}")
            continue
        a, b = normalise(o), normalise(theirs)
        diffs = [k for k in a if a[k] != b[k]]
        if diffs:
            mismatches += 1
            if mismatches <= 20:
                print(f"MISMATCH program {o['index']} ({', '.join(diffs)}): code={p['code']} gas={p['gas']}")
                for k in diffs:
                    print(f"   {k}: ours={a[k]} revm={b[k]}")
    print(f"{len(programs)} programs, {len(programs) - mismatches - errors} with 0 mismatches, {mismatches} mismatched, {errors} errors")
    return 1 if mismatches or errors else 0


if __name__ == "__main__":
    sys.exit(main())
