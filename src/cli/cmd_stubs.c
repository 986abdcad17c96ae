/* Temporary: replaced by cmd_lists.c and cmd_screen.c. */
#include "cli/cli.h"
int shn_cli_lists(int argc, char **argv) { (void)argc; (void)argv; return 2; }
int shn_cli_screen(int argc, char **argv) { (void)argc; (void)argv; return 2; }
const char *shn_cli_data_dir(void) { return "."; }
