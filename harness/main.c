/* placeholder until the CLI lands */
#include <stdio.h>
int main(void)
{
	fputs("acmespec: not built yet\n", stderr);
	return 3;
}
