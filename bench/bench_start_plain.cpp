// Baseline for bench_cli: a plain C++ process that starts and exits.
int main()
{
    return 0;
}
