"""longembed.ray's throughput on a local Ray cluster: 10,000 documents
embedded by 1 actor and by 2 actors (one library thread each), against plain
Model.encode in this process with 1 and 2 threads. Needs ray[data].

    python python/bench/ray_throughput.py [--docs 10000] [--model minilm]
"""
import argparse
import random
import time

import ray

import longembed
import longembed.ray

TOPICS = ["contract", "payment", "delivery", "bread", "river", "engine", "garden", "music",
          "winter", "court", "ocean", "market", "planet", "forest", "train", "doctor"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--model", default="minilm")
    a = ap.parse_args()
    rnd = random.Random(15)
    docs = [f"document {i}: " + " ".join(rnd.choice(TOPICS) for _ in range(8))
            for i in range(a.docs)]
    rows = []
    for threads in (1, 2):
        m = longembed.Model(a.model, threads=threads)
        m.encode(docs[:64])
        t = time.perf_counter()
        m.encode(docs)
        rows.append((f"encode, 1 process, {threads} thread(s)", time.perf_counter() - t))
        m.close()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ds = ray.data.from_items([{"text": d} for d in docs], override_num_blocks=8).materialize()
    for actors in (1, 2):
        t = time.perf_counter()
        longembed.ray.embed(ds, a.model, actors=actors, cpus_per_actor=1,
                            batch_size=500).materialize()
        rows.append((f"longembed.ray.embed, {actors} actor(s) x 1 thread",
                     time.perf_counter() - t))
    ray.shutdown()
    base = rows[0][1]
    print(f"| {a.docs} documents, {a.model} | s | docs/s | vs encode 1 thread |")
    print("|---|---|---|---|")
    for name, s in rows:
        print(f"| {name} | {s:.1f} | {a.docs / s:.0f} | {base / s:.2f}x |")


if __name__ == "__main__":
    main()
