/*
 * httpfile.h - plain http(s) files in `resources`
 * (`https://host/path/deploy.yaml`), as kustomize v5.5.0's file loader
 * reads them (api/internal/loader/fileloader.go: FileLoader.Load ->
 * httpClientGetContent): one GET, redirects followed, a status outside
 * 200-299 is an error ("HTTP Error: status code 404 (Not Found)"), the
 * body is the file.  Fetched with libcurl (the statically linked krender
 * command runs the curl command instead, httpfile.c), http and https only, under the
 * remote timeout (--remote-timeout, default 27 s; kustomize's client has
 * none) and a size limit.  Nothing is cached: kustomize fetches on every
 * build too.
 *
 * Which entries are files: an http(s) URL whose path ends in .yaml, .yml
 * or .json (kr_remote_is_plain_file), and any other http(s) URL that is
 * not a repository URL (remote.h).  kustomize tries a GET on every http(s)
 * entry first and clones only when that fails; krender clones a
 * repository URL without the GET.
 */
#ifndef KR_HTTPFILE_H
#define KR_HTTPFILE_H

#include <stddef.h>

#include "ctx.h"

/* GET `url` into the arena (*data NUL-terminated).  Errors name the URL
 * (an unreachable host, a timeout, a non-2xx status, a body over the
 * limit). */
int kr_http_get(kr_ctx *ctx, const char *url, long timeout_ms, char **data,
                size_t *len);

#endif
