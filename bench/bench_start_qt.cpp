// Baseline for bench_cli: a process that links Qt Core and only constructs a QCoreApplication.
#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    return 0;
}
