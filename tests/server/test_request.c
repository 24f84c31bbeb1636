/* The server's request parsers (src/server/request.c) alone: the shapes
 * they accept, and for bad bodies the status, the field and a message
 * that says where (the byte, line and column of a JSON syntax error). */
#include "check.h"
#include "server/buf.h"
#include "server/request.h"

#include <stdlib.h>
#include <string.h>

#define S(lit) lit, sizeof lit - 1

static void test_openai(void) {
    le_srv_embed_req r;
    le_srv_fail f;
    CHECK(le_srv_parse_openai(S("{\"input\": [\"a\", \"bc\"], \"encoding_format\": \"base64\"}"),
                              &r, &f) == 0);
    CHECK_EQ_INT(r.n, 2);
    CHECK(r.base64 && !strcmp(r.texts[1], "bc") && r.lens[1] == 2 && !r.ids);
    CHECK(r.truncate == -1 && r.normalize == -1 && r.dimensions == 0);
    le_srv_embed_req_free(&r);
    CHECK(le_srv_parse_openai(S("{\"input\": [[5, 6, 7], [8]], \"truncate\": true}"), &r, &f) == 0);
    CHECK(r.n == 2 && r.ids && r.n_ids[0] == 3 && r.ids[0][2] == 7 && r.ids[1][0] == 8);
    CHECK(r.truncate == 1 && !r.texts);
    le_srv_embed_req_free(&r);
    CHECK(le_srv_parse_openai(S("{\"input\": [5, 6]}"), &r, &f) == 0);
    CHECK(r.n == 1 && r.n_ids[0] == 2);
    le_srv_embed_req_free(&r);
}

/* parse body with the OpenAI parser: must fail with status and a message containing want. */
static void bad(const char *body, int status, const char *param, const char *want) {
    le_srv_embed_req r;
    le_srv_fail f;
    int rc = le_srv_parse_openai(body, strlen(body), &r, &f);
    CHECK_MSG(rc == -1 && f.http == status, "%s: %d", body, f.http);
    CHECK_MSG(rc == -1 && !strcmp(f.param, param), "%s: param %s", body, f.param);
    CHECK_MSG(rc == -1 && strstr(f.message, want), "%s: %s", body, f.message);
    le_srv_embed_req_free(&r);
}

static void test_bad(void) {
    bad("{\"input\": [\"a\",]}", 400, "", "byte 15 (line 1, column 16)");
    bad("{\n  \"input\": x}", 400, "", "line 2, column 12");
    bad("", 400, "", "empty");
    bad("[1]", 400, "", "object");
    bad("{\"input\": \"a\"} {}", 400, "", "after the value");
    bad("{\"input\": []}", 400, "input", "empty array");
    bad("{\"input\": 3}", 400, "input", "must be a string");
    bad("{\"input\": [\"a\", null]}", 400, "input", "'input'[1]");
    bad("{\"input\": [[1], \"a\"]}", 400, "input", "input[1] must be an array");
    bad("{\"input\": [[1.5]]}", 400, "input", "token id");
    bad("{\"input\": \"a\", \"dimensions\": 0}", 400, "dimensions", "integer");
    bad("{\"input\": \"a\", \"truncate\": 1}", 400, "truncate", "true or false");
    bad("{\"input\": \"a\", \"encoding_format\": \"hex\"}", 400, "encoding_format", "hex");
    bad("{\"input\": \"\xc3\x28\"}", 400, "input", "UTF-8 (byte 0)");
    bad("{\"model\": \"m\"}", 400, "input", "required");
}

static void test_others(void) {
    le_srv_embed_req r;
    le_srv_fail f;
    CHECK(le_srv_parse_tei(S("{\"inputs\": \"x\", \"prompt_name\": \"query\"}"), &r, &f) == 0);
    CHECK(r.n == 1 && !strcmp(r.prefix, "query") && r.add_special == 1);
    le_srv_embed_req_free(&r);
    CHECK(le_srv_parse_tei(S("{\"inputs\": [[1]]}"), &r, &f) == -1 && f.http == 400);
    le_srv_embed_req_free(&r);
    le_srv_search_req s;
    CHECK(le_srv_parse_search(S("{\"query\": \"q\", \"k\": 3, \"id_prefix\": \"a/\"}"), &s, &f) == 0);
    CHECK(s.k == 3 && !strcmp(s.id_prefix, "a/") && s.passages == 1 && !s.mode);
    cJSON_Delete(s.root);
    CHECK(le_srv_parse_search(S("{\"query\": \"q\", \"k\": 0}"), &s, &f) == -1 &&
          !strcmp(f.param, "k"));
    cJSON_Delete(s.root);
    le_srv_index_req ir;
    CHECK(le_srv_parse_index_add(S("{\"documents\": [{\"id\": \"a\", \"text\": \"t\"}]}"), &ir,
                                 &f) == 0);
    CHECK(ir.n == 1 && !strcmp(ir.docs[0].id, "a") && ir.docs[0].text_len == 1);
    le_srv_index_req_free(&ir);
    CHECK(le_srv_parse_index_add(S("{\"documents\": [{\"id\": \"a\", \"text\": 1}]}"), &ir, &f) ==
          -1);
    CHECK_MSG(strstr(f.message, "documents[0]: 'text' must be a string") != NULL, "%s", f.message);
    le_srv_index_req_free(&ir);
    CHECK(le_srv_parse_index_delete(S("{\"ids\": [\"a\", 2]}"), &ir, &f) == -1 &&
          strstr(f.message, "ids[1]"));
    le_srv_index_req_free(&ir);
}

static void test_buf(void) {
    le_sbuf b = {0};
    const unsigned char bytes[] = {0, 1, 2, 3, 250};
    le_srv_buf_base64(&b, bytes, 5);
    CHECK(!strcmp(b.p, "AAECA/o="));
    le_sbuf_free(&b);
    le_sbuf_json_string(&b, "a\"\n", 3);
    le_srv_buf_float(&b, 0.1f);
    CHECK_MSG(!strcmp(b.p, "\"a\\\"\\n\"0.100000001"), "%s", b.p);
    le_sbuf_free(&b);
}

int main(void) {
    test_openai();
    test_bad();
    test_others();
    test_buf();
    return check_report("server/test_request");
}
