#!/usr/bin/env python3
"""Drives `zkprover rollup node --dev --block-time 0` with web3.py and eth-account (PyPI), as a
wallet or script would: dev accounts, legacy and EIP-1559 transfers, a contract deployment,
eth_call / eth_estimateGas, refusals with their JSON-RPC codes, then `kill -9` and a restart that
must find every block, receipt, balance and code again.

    python3 scripts/rollup_client_test.py [path/to/zkprover]

Exit status 0 when every check passes.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from eth_account import Account
from web3 import Web3

MNEMONIC = "test test test test test test test test test test test junk"
ETHER = 10**18


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, datadir, port):
    log = open(os.path.join(datadir, "node.log"), "ab")
    p = subprocess.Popen(
        [binary, "rollup", "node", "--dev", "--block-time", "0", "--http-port", str(port), "--datadir", datadir],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 30}))
    deadline = time.time() + 30
    while time.time() < deadline:
        if p.poll() is not None:
            raise SystemExit(f"node exited with {p.returncode}; see {datadir}/node.log")
        try:
            if w3.eth.chain_id == 1337:
                return p, w3
        except Exception:
            time.sleep(0.1)
    raise SystemExit("node did not answer within 30 s")


def post(port, body):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def rpc_error(w3, method, params):
    r = w3.provider.make_request(method, params)
    assert "error" in r, f"{method} should fail: {r}"
    return r["error"]


def raw(signed):
    return getattr(signed, "raw_transaction", None) or signed.rawTransaction


def send(w3, key, tx):
    signed = Account.sign_transaction(tx, key)
    h = w3.eth.send_raw_transaction(raw(signed))
    return w3.eth.wait_for_transaction_receipt(h, timeout=30)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ZKPROVER_BIN", ".build/debug/zkprover")
    Account.enable_unaudited_hdwallet_features()
    dev = [Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]
    datadir = tempfile.mkdtemp(prefix="zkprover-rollup-")
    port = free_port()
    started = time.time()
    node, w3 = start(binary, datadir, port)
    try:
        # The 10 dev accounts of the mnemonic, each with 10,000 ether.
        for a in dev:
            assert w3.eth.get_balance(a.address) == 10_000 * ETHER, a.address
        assert w3.net.version == "1337"
        assert w3.client_version.startswith("zkprover-rollup")
        genesis = w3.eth.get_block(0)
        assert genesis["number"] == 0 and w3.eth.block_number == 0

        sender, key = dev[0].address, dev[0].key
        alice = Account.create().address
        # Legacy (type 0, EIP-155) transfer.
        gas_price = w3.eth.gas_price
        assert w3.eth.estimate_gas({"from": sender, "to": alice, "value": ETHER}) == 21000
        r1 = send(w3, key, {
            "nonce": w3.eth.get_transaction_count(sender, "pending"), "to": alice, "value": ETHER,
            "gas": 21000, "gasPrice": gas_price, "chainId": 1337,
        })
        assert r1["status"] == 1 and r1["type"] == 0 and r1["gasUsed"] == 21000, r1
        # EIP-1559 (type 2) transfer.
        base = w3.eth.get_block("latest")["baseFeePerGas"]
        tip = w3.eth.max_priority_fee
        r2 = send(w3, key, {
            "nonce": w3.eth.get_transaction_count(sender), "to": alice, "value": 2 * ETHER, "gas": 21000,
            "maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip, "chainId": 1337, "type": 2,
        })
        assert r2["status"] == 1 and r2["type"] == 2, r2
        assert r2["blockNumber"] == r1["blockNumber"] + 1
        assert w3.eth.get_balance(alice) == 3 * ETHER
        fees = sum(r["gasUsed"] * r["effectiveGasPrice"] for r in (r1, r2))
        assert w3.eth.get_balance(sender) == 10_000 * ETHER - 3 * ETHER - fees
        assert w3.eth.get_transaction_count(sender) == 2
        tx = w3.eth.get_transaction(r2["transactionHash"])
        assert tx["from"] == sender and tx["to"] == alice and tx["value"] == 2 * ETHER and tx["type"] == 2
        block = w3.eth.get_block(r2["blockNumber"], full_transactions=True)
        assert block["transactions"][0]["hash"] == r2["transactionHash"]
        assert w3.eth.get_block(block["hash"])["number"] == block["number"]

        # A contract whose code returns 42, and one that always reverts.
        returns42 = "0x600a600c600039600a6000f3602a60005260206000f3"
        reverts = "0x6005600c60003960056000f360006000fd"
        created = []
        for initcode in (returns42, reverts):
            r = send(w3, key, {
                "nonce": w3.eth.get_transaction_count(sender), "data": initcode, "gas": 100_000,
                "gasPrice": w3.eth.gas_price, "chainId": 1337,
            })
            assert r["status"] == 1 and r["contractAddress"], r
            created.append(r["contractAddress"])
        assert w3.eth.get_code(created[0]).hex().endswith("602a60005260206000f3")
        assert int.from_bytes(w3.eth.call({"to": created[0]}), "big") == 42
        err = rpc_error(w3, "eth_call", [{"to": created[1]}, "latest"])
        assert err["code"] == 3 and err["message"].startswith("execution reverted"), err

        # Refusals and hostile input.
        replay = rpc_error(w3, "eth_sendRawTransaction", ["0x" + bytes(raw(Account.sign_transaction({
            "nonce": 0, "to": alice, "value": 1, "gas": 21000, "gasPrice": gas_price, "chainId": 1337}, key))).hex()])
        assert replay["code"] == -32000 and "nonce too low" in replay["message"], replay
        wrong_chain = rpc_error(w3, "eth_sendRawTransaction", ["0x" + bytes(raw(Account.sign_transaction({
            "nonce": 4, "to": alice, "value": 1, "gas": 21000, "gasPrice": gas_price, "chainId": 1}, key))).hex()])
        assert wrong_chain["code"] == -32000 and "chain id" in wrong_chain["message"], wrong_chain
        poor = Account.create()
        broke = rpc_error(w3, "eth_sendRawTransaction", ["0x" + bytes(raw(Account.sign_transaction({
            "nonce": 0, "to": alice, "value": 1, "gas": 21000, "gasPrice": gas_price, "chainId": 1337},
            poor.key))).hex()])
        assert broke["code"] == -32000 and "insufficient funds" in broke["message"], broke
        low_gas = rpc_error(w3, "eth_sendRawTransaction", ["0x" + bytes(raw(Account.sign_transaction({
            "nonce": 4, "to": alice, "value": 1, "gas": 20000, "gasPrice": gas_price, "chainId": 1337},
            key))).hex()])
        assert "intrinsic gas too low" in low_gas["message"], low_gas
        assert rpc_error(w3, "eth_sendRawTransaction", ["0xdeadbeef"])["code"] == -32000
        assert rpc_error(w3, "eth_nonexistent", [])["code"] == -32601
        assert rpc_error(w3, "eth_getBalance", ["0x1234", "latest"])["code"] == -32602
        status, body = post(port, b"{not json")
        assert body["error"]["code"] == -32700, body
        status, body = post(port, b"[]")
        assert body["error"]["code"] == -32600, body
        status, body = post(port, b'[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"nope"}]')
        assert body[0]["result"] == hex(w3.eth.block_number) and body[1]["error"]["code"] == -32601, body
        status, body = post(port, b'{"jsonrpc":"2.0","id":1,"method":"eth_call","params":["' + b"a" * (6 << 20) + b'"]}')
        assert status == 413 and body["error"]["code"] == -32600, (status, body)

        # kill -9, restart: every block, receipt, balance and code is still there.
        head = w3.eth.get_block("latest")
        before = {a.address: w3.eth.get_balance(a.address) for a in dev[:2]}
        before[alice] = w3.eth.get_balance(alice)
        node.send_signal(signal.SIGKILL)
        node.wait()
        node, w3 = start(binary, datadir, port)
        assert w3.eth.get_block("latest")["hash"] == head["hash"]
        for a, b in before.items():
            assert w3.eth.get_balance(a) == b, a
        assert w3.eth.get_transaction_receipt(r1["transactionHash"])["blockHash"] == r1["blockHash"]
        assert w3.eth.get_transaction(r2["transactionHash"])["value"] == 2 * ETHER
        assert int.from_bytes(w3.eth.call({"to": created[0]}), "big") == 42
        assert w3.eth.get_transaction_count(sender) == 4
        # The chain goes on after the restart.
        r5 = send(w3, dev[1].key, {
            "nonce": 0, "to": alice, "value": ETHER, "gas": 21000, "gasPrice": w3.eth.gas_price, "chainId": 1337,
        })
        assert r5["status"] == 1 and r5["blockNumber"] == head["number"] + 1
        assert w3.eth.get_balance(alice) == 4 * ETHER
        print(f"rollup client test passed: {head['number'] + 1} blocks, restart after kill -9, "
              f"{time.time() - started:.1f} s")
    finally:
        if node.poll() is None:
            node.send_signal(signal.SIGTERM)
            try:
                node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.kill()


if __name__ == "__main__":
    main()
