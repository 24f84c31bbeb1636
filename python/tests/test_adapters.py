"""The ecosystem adapters against the real packages from PyPI (installed by
python/run_tests.sh): langchain-core, llama-index-core and mteb-core (MTEB
without torch). A test whose package is missing is skipped, with the reason."""
import numpy as np
import pytest

import longembed

DOCS = {"d1": "Either party may terminate this agreement for convenience with notice.",
        "d2": "The supplier shall deliver the goods within ten business days.",
        "d3": "Bake the bread for forty minutes in a hot oven.",
        "d4": "Payment is due sixty days after the invoice date."}
QUERIES = {"q1": "how can the contract be ended", "q2": "when do the goods arrive",
           "q3": "baking time of bread", "q4": "invoice payment deadline"}
QRELS = {"q1": {"d1": 1}, "q2": {"d2": 1}, "q3": {"d3": 1}, "q4": {"d4": 1}}


def test_langchain_embeddings(minilm):
    pytest.importorskip("langchain_core")
    from langchain_core.embeddings import Embeddings

    from longembed.langchain import LongembedEmbeddings
    emb = LongembedEmbeddings(minilm)
    assert isinstance(emb, Embeddings)
    docs = emb.embed_documents(list(DOCS.values()))
    assert len(docs) == 4 and len(docs[0]) == 384 and isinstance(docs[0][0], float)
    assert np.allclose(docs, minilm.encode(list(DOCS.values())), atol=1e-7)
    q = emb.embed_query(QUERIES["q3"])
    assert int(np.argmax(np.array(docs) @ np.array(q))) == 2
    import asyncio
    qa = asyncio.run(emb.aembed_query(QUERIES["q3"]))  # langchain-core's thread-pool default
    assert np.allclose(qa, q)


def test_langchain_in_memory_vector_store(minilm):
    pytest.importorskip("langchain_core")
    from langchain_core.vectorstores import InMemoryVectorStore

    from longembed.langchain import LongembedEmbeddings
    store = InMemoryVectorStore.from_texts(list(DOCS.values()), LongembedEmbeddings(minilm))
    assert store.similarity_search(QUERIES["q4"], k=1)[0].page_content == DOCS["d4"]


def test_llama_index_embedding(minilm):
    pytest.importorskip("llama_index.core")
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from longembed.llama_index import LongembedEmbedding
    emb = LongembedEmbedding(minilm)
    assert isinstance(emb, BaseEmbedding)
    docs = emb.get_text_embedding_batch(list(DOCS.values()))
    assert np.allclose(docs, minilm.encode(list(DOCS.values())), atol=1e-7)
    q = emb.get_query_embedding(QUERIES["q2"])
    assert int(np.argmax(np.array(docs) @ np.array(q))) == 1


def _local_task():
    """A four-document retrieval task made here (no download)."""
    from datasets import Dataset
    from mteb.abstasks.retrieval import AbsTaskRetrieval
    from mteb.abstasks.retrieval_dataset_loaders import RetrievalSplitData
    from mteb.abstasks.task_metadata import TaskMetadata

    class LongembedLocalRetrieval(AbsTaskRetrieval):
        metadata = TaskMetadata(
            type="Retrieval", name="LongembedLocalRetrieval", main_score="ndcg_at_10",
            description="A four-document retrieval task made by longembed's tests.",
            reference=None, dataset={"path": "NA", "revision": "NA"}, category="t2t",
            eval_splits=["test"], eval_langs=["eng-Latn"], date=("2026-01-01", "2026-01-01"),
            dialect=["Written"], domains=[], task_subtypes=[], license="mit",
            annotations_creators="derived", sample_creation="created", bibtex_citation="",
            modalities=["text"])

        def load_data(self, num_proc=None, **kwargs):
            split = RetrievalSplitData(
                queries=Dataset.from_list([{"id": k, "text": v} for k, v in QUERIES.items()]),
                corpus=Dataset.from_list([{"id": k, "text": v, "title": ""}
                                          for k, v in DOCS.items()]),
                relevant_docs=QRELS, top_ranked=None)
            self.dataset = {"default": {"test": split}}
            self.data_loaded = True

    task = LongembedLocalRetrieval()
    task.load_data()
    return task


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_mteb_retrieval_task(minilm, mode):
    pytest.importorskip("mteb")
    import longembed.mteb
    task = _local_task()
    model = longembed.mteb.LongembedSearch(minilm, mode=mode)
    scores = task.evaluate(model, "test", encode_kwargs={})["default"]
    assert scores["ndcg_at_10"] == pytest.approx(1.0), scores
    assert scores["recall_at_1"] == pytest.approx(1.0)
    assert model.mteb_model_meta.embed_dim == 384
    model.close()


def test_mteb_encoder_protocol(minilm):
    pytest.importorskip("mteb")
    import longembed.mteb
    enc = longembed.mteb.LongembedEncoder(minilm)
    batches = [{"text": list(DOCS.values())[:2]}, {"text": list(DOCS.values())[2:]}]
    got = enc.encode(batches, prompt_type=None)
    assert np.array_equal(got, minilm.encode(list(DOCS.values())))
    assert enc.similarity(got, got).shape == (4, 4)
