/*
 * krender_edit.h - `kustomize edit` commands of libkrender.
 *
 * kr_edit() runs one edit command on the kustomization file of a directory,
 * with kustomize v5.5.0's arguments, flags, validation and result:
 *
 *   set image [NAME=]NEWNAME[:TAG][@DIGEST]...   set replicas NAME=COUNT...
 *   set nameprefix [--] X    set namesuffix [--] X    set namespace [--] NS
 *   add label [--force] [--without-selector] [--include-templates] K:V...
 *   add annotation [--force] K:V...
 *   add resource [--no-verify] PATH|GLOB...   add component PATH|GLOB...
 *   add patch (--path P | --patch TEXT) [--group G] [--version V] [--kind K]
 *             [--name N] [--namespace NS] [--label-selector S]
 *             [--annotation-selector S]
 *
 * The file is rewritten in place (through a temporary file and a rename);
 * fields the command does not change keep their text, comments included.
 * On error the file is untouched.
 */
#ifndef KRENDER_EDIT_H
#define KRENDER_EDIT_H

#include "krender.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Run the edit command argv[0..argc) (the words after "edit", e.g.
 * {"set", "image", "nginx=nginx:1.27"}) in directory `dir`.  Notices that
 * kustomize logs (an entry already present, a flag spelling converted) go
 * through opts->warn.  Returns 0, or a negative KR_E* code with *message
 * set to a malloc'ed error text (free() it) naming the kustomization file
 * when the error is about it. */
KR_API int kr_edit(const char *dir, int argc, char *const *argv,
                   const kr_build_options *opts, char **message);

#ifdef __cplusplus
}
#endif

#endif
