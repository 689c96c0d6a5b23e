/*
 * edit.h - `krender edit ...` / `kustomize edit ...` (edit.c).
 */
#ifndef KR_CLI_EDIT_H
#define KR_CLI_EDIT_H

/* argv[0..argc) are the words after "edit"; `prog` names the tool in
 * messages ("krender" or "kustomize").  Returns the exit status. */
int kr_cli_edit(int argc, char **argv, const char *prog);

#endif
