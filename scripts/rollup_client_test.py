#!/usr/bin/env python3
"""Drives `zkprover rollup node --dev --block-time 0` with web3.py and eth-account (PyPI), as a
wallet or script would: dev accounts, legacy, EIP-1559 and EIP-7702 transactions, a contract
deployment, eth_call / eth_estimateGas, an ERC-20 written in Vyper and compiled here with the
`vyper` package (deploy, transfer, balances, `Transfer` events through get_logs and filters, a
revert reason; skipped with a message when vyper is not installed), eth_feeHistory, eth_getProof,
debug_executionWitness, eth_call at an older block and with state overrides, eth_subscribe
(newHeads) through AsyncWeb3's WebSocketProvider on the HTTP port, refusals with their JSON-RPC
codes, then `kill -9` and a restart that must find every block, receipt, log, balance and code
again.

    python3 scripts/rollup_client_test.py [path/to/zkprover]

Exit status 0 when every check passes.
"""
import asyncio
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


ERC20_VYPER = """
# pragma version ^0.4.0
event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

balanceOf: public(HashMap[address, uint256])
totalSupply: public(uint256)

@deploy
def __init__(supply: uint256):
    self.balanceOf[msg.sender] = supply
    self.totalSupply = supply
    log Transfer(sender=empty(address), receiver=msg.sender, value=supply)

@external
def transfer(receiver: address, amount: uint256) -> bool:
    assert self.balanceOf[msg.sender] >= amount, "insufficient balance"
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=msg.sender, receiver=receiver, value=amount)
    return True
"""


def compile_erc20():
    """The ERC-20's ABI and bytecode, or None when the vyper package is missing."""
    try:
        import vyper
    except ImportError:
        return None
    out = vyper.compile_code(ERC20_VYPER, output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"], vyper.__version__


def fees(w3):
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    tip = w3.eth.max_priority_fee
    return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip, "chainId": 1337}


def eip7702(w3, dev, target):
    """dev[3] sends a type-4 transaction carrying dev[2]'s authorization to delegate to `target`."""
    authority, sender = dev[2], dev[3]
    auth = authority.sign_authorization({"chainId": 1337, "address": target, "nonce": 0})
    r = send(w3, sender.key, {
        "type": 4, "nonce": w3.eth.get_transaction_count(sender.address), "to": authority.address,
        "value": 0, "gas": 100_000, "data": "0x", "accessList": [], "authorizationList": [auth], **fees(w3),
    })
    assert r["status"] == 1 and r["type"] == 4, r
    code = w3.eth.get_code(authority.address)
    assert code == bytes.fromhex("ef0100") + bytes.fromhex(target[2:]), code.hex()
    assert w3.eth.get_transaction_count(authority.address) == 1
    tx = w3.eth.get_transaction(r["transactionHash"])
    assert tx["type"] == 4 and len(tx["authorizationList"]) == 1, tx
    # Calls to the authority run the delegate's code (it returns 42).
    assert int.from_bytes(w3.eth.call({"to": authority.address}), "big") == 42
    return r


def erc20(w3, dev, compiled):
    """Deploys the Vyper ERC-20 from dev[4], transfers, reads balances, events and a revert."""
    from web3.exceptions import ContractLogicError

    abi, bytecode, _ = compiled
    owner, alice, bob = dev[4], dev[5].address, dev[6].address
    Token = w3.eth.contract(abi=abi, bytecode=bytecode)
    tx = Token.constructor(10**6).build_transaction({
        "from": owner.address, "nonce": w3.eth.get_transaction_count(owner.address), **fees(w3)})
    deployed = send(w3, owner.key, tx)
    assert deployed["status"] == 1 and deployed["contractAddress"], deployed
    token = w3.eth.contract(address=deployed["contractAddress"], abi=abi)
    assert token.functions.totalSupply().call() == 10**6
    tx = token.functions.transfer(alice, 250).build_transaction({
        "from": owner.address, "nonce": w3.eth.get_transaction_count(owner.address), **fees(w3)})
    moved = send(w3, owner.key, tx)
    assert moved["status"] == 1 and len(moved["logs"]) == 1, moved
    assert token.functions.balanceOf(alice).call() == 250
    assert token.functions.balanceOf(owner.address).call() == 10**6 - 250
    # Transfer events through eth_getLogs: all, then by indexed argument.
    events = token.events.Transfer.get_logs(from_block=0)
    assert [(e.args.sender, e.args.receiver, e.args.value) for e in events] == [
        ("0x0000000000000000000000000000000000000000", owner.address, 10**6), (owner.address, alice, 250)], events
    to_alice = token.events.Transfer.get_logs(from_block=0, argument_filters={"receiver": alice})
    assert len(to_alice) == 1 and to_alice[0].transactionHash == moved["transactionHash"], to_alice
    # A filter sees the next transfer once.
    log_filter = w3.eth.filter({"address": token.address})
    block_filter = w3.eth.filter("latest")
    tx = token.functions.transfer(bob, 5).build_transaction({
        "from": owner.address, "nonce": w3.eth.get_transaction_count(owner.address), **fees(w3)})
    third = send(w3, owner.key, tx)
    changes = log_filter.get_new_entries()
    assert len(changes) == 1 and changes[0]["transactionHash"] == third["transactionHash"], changes
    assert log_filter.get_new_entries() == []
    assert block_filter.get_new_entries() == [third["blockHash"]]
    assert w3.eth.uninstall_filter(log_filter.filter_id)
    # The revert reason, from eth_call and eth_estimateGas; a mined revert has status 0.
    for attempt in (lambda: token.functions.transfer(bob, 10**9).call({"from": alice}),
                    lambda: token.functions.transfer(bob, 10**9).estimate_gas({"from": alice})):
        try:
            attempt()
            raise AssertionError("transfer beyond the balance should revert")
        except ContractLogicError as e:
            assert "insufficient balance" in str(e), e
    tx = token.functions.transfer(bob, 10**9).build_transaction({
        "from": owner.address, "nonce": w3.eth.get_transaction_count(owner.address), "gas": 100_000, **fees(w3)})
    failed = send(w3, owner.key, tx)
    assert failed["status"] == 0 and failed["logs"] == [], failed
    # EIP-1186: totalSupply (slot 1) proven against the state root.
    proof = w3.eth.get_proof(token.address, [1], "latest")
    assert int.from_bytes(proof["storageProof"][0]["value"], "big") == 10**6 and len(proof["accountProof"]) > 0, proof
    return token, moved


def websocket(port, w3, key, alice):
    """AsyncWeb3 over ws://127.0.0.1:PORT (the HTTP port): a newHeads subscription sees the block of a
    transfer sent over HTTP; eth_getBalance at the block before it, over the socket."""
    try:
        from web3 import AsyncWeb3, WebSocketProvider
    except ImportError:
        print("SKIPPED the WebSocket part: this web3 has no AsyncWeb3/WebSocketProvider")
        return

    async def run():
        async with AsyncWeb3(WebSocketProvider(f"ws://127.0.0.1:{port}")) as aw3:
            assert await aw3.eth.chain_id == 1337
            sub = await aw3.eth.subscribe("newHeads")
            r = await asyncio.to_thread(send, w3, key, {
                "nonce": w3.eth.get_transaction_count(Account.from_key(key).address), "to": alice, "value": ETHER,
                "gas": 21000, "gasPrice": w3.eth.gas_price, "chainId": 1337,
            })

            async def first():
                async for message in aw3.socket.process_subscriptions():
                    return message

            message = await asyncio.wait_for(first(), 10)
            head = message["result"]
            assert message["subscription"] == sub and head["number"] == r["blockNumber"], message
            assert head["hash"] == r["blockHash"], message
            assert await aw3.eth.unsubscribe(sub)
            before = await aw3.eth.get_balance(alice, r["blockNumber"] - 1)
            assert before + ETHER == await aw3.eth.get_balance(alice), before

    asyncio.run(run())


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

        # EIP-7702: dev[2] delegates to the contract that returns 42.
        r7702 = eip7702(w3, dev, created[0])

        # The Vyper ERC-20.
        compiled = compile_erc20()
        token = None
        if compiled is None:
            print("SKIPPED the Vyper ERC-20 part: the vyper package is not installed (python3 -m pip install vyper)")
        else:
            token, moved = erc20(w3, dev, compiled)

        # Fee history and the execution witness of the latest block.
        history = w3.eth.fee_history(4, "latest", [25, 75])
        assert len(history["baseFeePerGas"]) == 5 and len(history["reward"]) == 4, history
        witness = w3.provider.make_request("debug_executionWitness", [hex(r7702["blockNumber"])])["result"]
        assert witness["state"] and all(x.startswith("0x") for x in witness["state"] + witness["headers"]), witness
        status, body = post(port, b'{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"topics":[[]],'
                                  b'"fromBlock":"0x0","toBlock":"0xffffffff"}]}')
        assert "result" in body, body

        # eth_call at an older block (the contract did not exist yet) and with a code override.
        code_at = {created[0]: {"code": "0x602b60005260206000f3"}}
        assert int.from_bytes(w3.eth.call({"to": created[0]}, "latest", code_at), "big") == 43
        assert w3.eth.call({"to": created[0]}, r2["blockNumber"]) == b""
        websocket(port, w3, dev[3].key, Account.create().address)

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
        # The state history is stored too: a call before the contract existed.
        assert w3.eth.call({"to": created[0]}, r2["blockNumber"]) == b""
        assert w3.eth.get_transaction_count(sender) == 4
        assert w3.eth.get_code(dev[2].address)[:3] == bytes.fromhex("ef0100")
        if token is not None:
            assert token.functions.balanceOf(dev[5].address).call() == 250
            events = token.events.Transfer.get_logs(from_block=0)
            assert len(events) == 3 and events[1].transactionHash == moved["transactionHash"], events
        # The chain goes on after the restart.
        r5 = send(w3, dev[1].key, {
            "nonce": 0, "to": alice, "value": ETHER, "gas": 21000, "gasPrice": w3.eth.gas_price, "chainId": 1337,
        })
        assert r5["status"] == 1 and r5["blockNumber"] == head["number"] + 1
        assert w3.eth.get_balance(alice) == 4 * ETHER
        vyper_note = f"Vyper {compiled[2]} ERC-20" if compiled else "no Vyper"
        print(f"rollup client test passed: {head['number'] + 1} blocks, EIP-7702, {vyper_note}, "
              f"restart after kill -9, {time.time() - started:.1f} s")
    finally:
        if node.poll() is None:
            node.send_signal(signal.SIGTERM)
            try:
                node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.kill()


if __name__ == "__main__":
    main()
