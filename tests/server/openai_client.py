"""The openai package against `longembed serve` (test_openai_client.sh)."""
import base64
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from serverlib import Server, check, cli_vectors, finish, max_diff  # noqa: E402

import openai  # noqa: E402

BUILD = sys.argv[1]
TEXTS = ["The cat sat on the mat.", "héllo wörld", "a longer text " * 20]

srv = Server(BUILD, "--api-key", "k-test")
try:
    want = cli_vectors(BUILD, TEXTS)
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.port}/v1", api_key="k-test")
    for fmt in ("float", "base64"):
        r = client.embeddings.create(model="bert-cased-tiny", input=TEXTS, encoding_format=fmt)
        # asked for explicitly, base64 comes back as the string the server sent
        got = [list(struct.unpack("<%df" % (len(base64.b64decode(d.embedding)) // 4),
                                  base64.b64decode(d.embedding)))
               if isinstance(d.embedding, str) else d.embedding for d in r.data]
        check(f"{fmt}: vectors = embed's", len(got) == len(want) and
              all(max_diff(a, b) <= 1e-6 for a, b in zip(got, want)))
        check(f"{fmt}: usage", r.usage.prompt_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens)
    # the client's default: it asks for base64 and decodes it itself
    r = client.embeddings.create(model="bert-cased-tiny", input=TEXTS[0])
    check("default format (base64, decoded by the client)",
          isinstance(r.data[0].embedding, list) and max_diff(r.data[0].embedding, want[0]) <= 1e-6)
    check("models", [m.id for m in client.models.list().data] == ["bert-cased-tiny"])
    check("models.retrieve", client.models.retrieve("bert-cased-tiny").id == "bert-cased-tiny")
    try:
        client.models.retrieve("gpt-4")
        check("another model raises", False)
    except openai.NotFoundError as e:
        check("another model: NotFoundError naming the served one", "bert-cased-tiny" in str(e), str(e))
    try:
        client.embeddings.create(model="x", input=[])
        check("empty input raises", False)
    except openai.BadRequestError as e:
        check("empty input: BadRequestError with the message", "empty" in str(e), str(e))
    bad = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.port}/v1", api_key="wrong")
    try:
        bad.embeddings.create(model="x", input="a")
        check("wrong key raises", False)
    except openai.AuthenticationError:
        check("wrong key: AuthenticationError", True)
finally:
    check("SIGTERM: exit 0", srv.stop() == 0)

# the decoder's routes (random-weight Qwen2): whole and streamed through the client
srv = Server(BUILD, "--llm", "tests/fixtures/llm/qwen2-tiny/model.gguf")
try:
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.port}/v1", api_key="none")
    r = client.completions.create(model="model.gguf", prompt="Once upon a time", max_tokens=24,
                                  temperature=0)
    text = r.choices[0].text
    check("completions.create", r.object == "text_completion" and r.usage.completion_tokens > 0 and
          r.choices[0].finish_reason in ("stop", "length"), r)
    parts = [c.choices[0].text for c in client.completions.create(
        model="model.gguf", prompt="Once upon a time", max_tokens=24, temperature=0, stream=True)]
    check("completions stream = whole", "".join(parts) == text and len(parts) > 1, (parts, text))
    msgs = [{"role": "user", "content": "Hello"}]
    r = client.chat.completions.create(model="model.gguf", messages=msgs, max_tokens=24, temperature=0)
    reply = r.choices[0].message.content
    check("chat.completions.create", r.object == "chat.completion" and
          r.choices[0].message.role == "assistant" and isinstance(reply, str), r)
    chunks = list(client.chat.completions.create(model="model.gguf", messages=msgs, max_tokens=24,
                                                 temperature=0, stream=True))
    check("chat stream: role first", chunks[0].choices[0].delta.role == "assistant", chunks[0])
    check("chat stream = whole", "".join(c.choices[0].delta.content or "" for c in chunks) == reply)
    check("chat stream: finish reason last", chunks[-1].choices[0].finish_reason in ("stop", "length"))
    try:
        client.chat.completions.create(model="x", messages=[{"role": "wizard", "content": "a"}])
        check("unknown role raises", False)
    except openai.BadRequestError as e:
        check("unknown role: BadRequestError naming it", "wizard" in str(e), str(e))
finally:
    check("decoder: SIGTERM: exit 0", srv.stop() == 0)
finish("test_openai_client")
