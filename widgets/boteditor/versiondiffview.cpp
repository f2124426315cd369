#include "versiondiffview.h"

#include "bot.h"
#include "versiondiff.h"

#include <Qsci/qscilexerdiff.h>
#include <Qsci/qsciscintilla.h>

#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonArray>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace bd {
namespace {

QString shown(const QJsonValue &value)
{
    if (value.isUndefined())
        return QObject::tr("default");
    // One JSON value as text: wrapped in an array so scalars serialise too.
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

} // namespace

VersionDiffView::VersionDiffView(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel(this)), m_params(new QTableWidget(0, 3, this)), m_code(new QsciScintilla(this))
{
    m_summary->setObjectName(QStringLiteral("diffSummary"));
    m_summary->setWordWrap(true);
    m_params->setObjectName(QStringLiteral("diffParams"));
    m_params->setHorizontalHeaderLabels({tr("Parameter"), tr("Older"), tr("Newer")});
    m_params->verticalHeader()->hide();
    m_params->horizontalHeader()->setStretchLastSection(true);
    m_params->setEditTriggers(QAbstractItemView::NoEditTriggers);

    m_code->setObjectName(QStringLiteral("diffCode"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto *lexer = new QsciLexerDiff(m_code);
    lexer->setDefaultFont(mono);
    for (int style = 0; style <= 12; ++style)
        lexer->setFont(mono, style);
    m_code->setLexer(lexer);
    m_code->setUtf8(true);
    m_code->setReadOnly(true);
    m_code->setMarginWidth(1, 0);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_params);
    split->addWidget(m_code);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);
    clear(tr("Select two versions to compare them."));
}

void VersionDiffView::showDiff(const BotVersion &a, const BotVersion &b, const QString &botName)
{
    const bool aFirst = a.createdAtMs <= b.createdAtMs;
    const BotVersion &older = aFirst ? a : b;
    const BotVersion &newer = aFirst ? b : a;
    const QString olderLabel = QStringLiteral("%1@%2").arg(botName, shortHash(older.codeHash));
    const QString newerLabel = QStringLiteral("%1@%2").arg(botName, shortHash(newer.codeHash));
    const VersionDiff diff = diffVersions(older, newer, olderLabel, newerLabel);

    m_params->setRowCount(int(diff.params.size()));
    for (int row = 0; row < diff.params.size(); ++row) {
        const ParamChange &change = diff.params[row];
        m_params->setItem(row, 0, new QTableWidgetItem(change.key));
        m_params->setItem(row, 1, new QTableWidgetItem(shown(change.before)));
        m_params->setItem(row, 2, new QTableWidgetItem(shown(change.after)));
    }
    m_params->resizeColumnsToContents();
    m_code->setText(diff.unifiedCode.isEmpty() ? tr("(the code is identical)") : diff.unifiedCode);

    QString what;
    if (diff.identical())
        what = tr("identical");
    else
        what = tr("code +%1 −%2 lines, %n parameter(s) changed", nullptr, int(diff.params.size()))
                   .arg(diff.linesAdded)
                   .arg(diff.linesRemoved);
    m_summary->setText(QStringLiteral("%1 → %2: %3").arg(olderLabel, newerLabel, what));
}

void VersionDiffView::clear(const QString &hint)
{
    m_params->setRowCount(0);
    m_code->clear();
    m_summary->setText(hint);
}

QString VersionDiffView::summary() const { return m_summary->text(); }
QString VersionDiffView::diffText() const { return m_code->text(); }

} // namespace bd
