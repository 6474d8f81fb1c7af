"""A tour of friendli-dedicated: deploy, wait, list, update, sleep, wake, terminate.

Runs against whatever FRIENDLI_BASE_URL points at: the local emulator (`python3 -m nox -s demo`
starts one and sets the variables) or the real API (FRIENDLI_TOKEN, FRIENDLI_TEAM, and a project
id in FRIENDLI_PROJECT). Against the real API this creates a GPU deployment that costs money until
the last step terminates it.

    python examples/demo.py
"""

from __future__ import annotations

import os
import time

import friendli_dedicated as fd

PROJECT = os.environ.get("FRIENDLI_PROJECT", "demo-project")
MODEL = os.environ.get("FRIENDLI_DEMO_MODEL", "meta-llama/Llama-3.1-8B-Instruct")


def show_progress(state: fd.EndpointState, elapsed: float) -> None:
    phase = f" / {state.phase.value}" if state.phase is not None else ""
    print(f"  {elapsed:6.1f}s  {state.status.value}{phase}", flush=True)


def main() -> None:
    started = time.monotonic()
    with fd.Client() as client:
        print(f"API: {client.base_url}  SDK {fd.__version__}  contract {fd.CONTRACT_PIN.short()}")

        instance = fd.InstanceOption(fd.GPU.H100, 2)
        autoscaling = fd.Autoscaling.always_on(min_replicas=1, max_replicas=2, cooldown=300)
        print(f"\n1. create '{MODEL}' on {instance} (option {instance.id}), {autoscaling}")
        endpoint = client.endpoints.create(PROJECT, "demo-chat", MODEL, instance, autoscaling=autoscaling)
        print(f"   endpoint id: {endpoint.id}")

        print("\n2. wait until it serves")
        endpoint.wait_until_running(timeout=600, on_progress=show_progress)

        print("\n3. list the project's endpoints")
        for ep in client.endpoints.list(PROJECT):
            print(f"   {ep!r}")

        print("\n4. update: larger batches, a new version")
        spec = client.endpoints.update(endpoint.id, max_batch_size=128, comment="larger batches")
        print(f"   {spec.name}: {spec.instance}, {spec.autoscaling}, max batch size {spec.max_batch_size}")
        endpoint.wait_until_running(timeout=600, on_progress=show_progress)
        versions = list(client.endpoints.versions(endpoint.id))
        print(f"   {len(versions)} versions in the history")

        print("\n5. sleep, then wake and wait again")
        print(f"   sleep -> {endpoint.sleep().state.status.value}")
        endpoint.wake().wait_until_running(timeout=600, on_progress=show_progress)

        print("\n6. terminate")
        print(f"   terminate -> {endpoint.terminate().state.status.value}")

    print(f"\ndone in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
