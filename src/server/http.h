/* The libmicrohttpd side of the server: one request's life from its
 * headers (route, key, size checks) through its body (accumulated up to
 * the limit) to its reply, with suspension while its job waits for the
 * batch worker. */
#ifndef LE_SERVER_HTTP_H
#define LE_SERVER_HTTP_H

#include "server/server_impl.h"

#include <microhttpd.h>

enum MHD_Result le_srv_on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls);
void le_srv_on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode why);

#endif
