/*
 * edit.c - the `edit` command of the krender tool: kustomize's
 * `kustomize edit add|set ...` on the kustomization file of the current
 * directory.  The work is done by the library (krender_edit.h); this file
 * prints help and messages.
 */
#include "edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krender_edit.h"

static void warn_line(void *payload, const char *line)
{
	(void)payload;
	fprintf(stderr, "%s\n", line);
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
	        "Edits the kustomization file of the current directory, as kustomize edit does.\n"
	        "\n"
	        "Usage:\n"
	        "  %s edit set image [NAME=]NEWNAME[:TAG][@DIGEST]...   (\"*\" keeps a value)\n"
	        "  %s edit set replicas NAME=COUNT...\n"
	        "  %s edit set nameprefix [--] PREFIX\n"
	        "  %s edit set namesuffix [--] SUFFIX\n"
	        "  %s edit set namespace [--] NAMESPACE\n"
	        "  %s edit add label [-f|--force] [--without-selector [--include-templates]] KEY:VALUE...\n"
	        "  %s edit add annotation [-f|--force] KEY:VALUE...\n"
	        "  %s edit add resource [--no-verify] PATH|GLOB...\n"
	        "  %s edit add component PATH|GLOB...\n"
	        "  %s edit add patch (--path FILE | --patch TEXT) [--group G] [--version V]\n"
	        "        [--kind K] [--name N] [--namespace NS] [--label-selector S]\n"
	        "        [--annotation-selector S]\n"
	        "\n"
	        "Fields the command does not change keep their text and comments.\n",
	        prog, prog, prog, prog, prog, prog, prog, prog, prog, prog);
}

int kr_cli_edit(int argc, char **argv, const char *prog)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, prog);
			return 0;
		}
	if (argc == 0) {
		usage(stderr, prog);
		return 1;
	}
	kr_build_options opts = KR_BUILD_OPTIONS_INIT;
	opts.warn = warn_line;
	char *msg = NULL;
	if (kr_edit(".", argc, argv, &opts, &msg) < 0) {
		fprintf(stderr, "Error: %s\n", msg ? msg : "out of memory");
		free(msg);
		return 1;
	}
	return 0;
}
