#include "parameterform.h"

#include "codehash.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonValue>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

namespace bd {
namespace {

constexpr int kMaxDecimals = 10;

// Digits after the decimal point in the shortest text that reads back as `v` (0.25 -> 2, 1e-05 -> 5, 3 -> 0).
int decimalsOf(double v)
{
    if (!std::isfinite(v))
        return 0;
    const QString text = QString::number(v, 'e', QLocale::FloatingPointShortest);  // "2.5e-01"
    const qsizetype e = text.indexOf(QLatin1Char('e'));
    const QString mantissa = text.left(e);
    const int exponent = text.mid(e + 1).toInt();
    const qsizetype dot = mantissa.indexOf(QLatin1Char('.'));
    const int fraction = dot < 0 ? 0 : int(mantissa.size() - dot - 1);
    return std::clamp(fraction - exponent, 0, kMaxDecimals);
}

QString numberText(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString rangeText(const ParameterSpec &spec)
{
    return QStringLiteral("%1 to %2").arg(numberText(spec.min), numberText(spec.max));
}

} // namespace

ParameterForm::ParameterForm(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("parameterForm"));
    m_layout = new QFormLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_empty = new QLabel(tr("No parameters."), this);
    m_empty->setEnabled(false);
    m_layout->addRow(m_empty);
}

void ParameterForm::setParameters(const std::vector<ParameterSpec> &specs)
{
    while (m_layout->rowCount() > 0)
        m_layout->removeRow(0);  // deletes the row's widgets
    m_rows.clear();
    m_specs = specs;
    m_empty = nullptr;
    if (specs.empty()) {
        m_empty = new QLabel(tr("No parameters."), this);
        m_empty->setEnabled(false);
        m_layout->addRow(m_empty);
        emit valuesChanged();
        return;
    }
    m_rows.reserve(specs.size());
    for (const ParameterSpec &spec : specs) {
        Row row;
        row.spec = spec;
        const QString tip = tr("%1\nRange %2; default %3.").arg(spec.description, rangeText(spec), numberText(spec.defaultValue));
        row.label = new QLabel(spec.key, this);
        row.label->setToolTip(tip);
        if (spec.type == ParameterSpec::Type::Integer) {
            auto *box = new QSpinBox(this);
            box->setRange(int(std::clamp(spec.min, double(INT_MIN), double(INT_MAX))),
                          int(std::clamp(spec.max, double(INT_MIN), double(INT_MAX))));
            box->setSingleStep(std::max(1, int(spec.step)));
            row.editor = box;
        } else {
            auto *box = new QDoubleSpinBox(this);
            box->setDecimals(std::max({decimalsOf(spec.step), decimalsOf(spec.min), decimalsOf(spec.max),
                                       decimalsOf(spec.defaultValue)}));
            box->setRange(spec.min, spec.max);
            box->setSingleStep(spec.step > 0 ? spec.step : 1.0);
            row.editor = box;
        }
        row.editor->setObjectName(QStringLiteral("param_%1").arg(spec.key));
        row.editor->setToolTip(tip);
        row.editor->setAccelerated(true);
        row.editor->setAlignment(Qt::AlignRight);
        row.reset = new QToolButton(this);
        row.reset->setObjectName(QStringLiteral("reset_%1").arg(spec.key));
        row.reset->setText(tr("Default"));
        row.reset->setToolTip(tr("Back to the default, %1").arg(numberText(spec.defaultValue)));
        auto *field = new QWidget(this);
        auto *fieldLayout = new QHBoxLayout(field);
        fieldLayout->setContentsMargins(0, 0, 0, 0);
        fieldLayout->addWidget(row.editor, 1);
        fieldLayout->addWidget(row.reset);
        m_layout->addRow(row.label, field);
        m_rows.push_back(row);
    }
    for (size_t i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        setRowValue(row, row.spec.defaultValue);
        connect(row.reset, &QToolButton::clicked, this, [this, i] {
            setRowValue(m_rows[i], m_rows[i].spec.defaultValue);
        });
        auto changed = [this, i] {
            updateIndicator(m_rows[i]);
            emit valuesChanged();
        };
        if (auto *box = qobject_cast<QSpinBox *>(row.editor))
            connect(box, &QSpinBox::valueChanged, this, changed);
        else if (auto *dbox = qobject_cast<QDoubleSpinBox *>(row.editor))
            connect(dbox, &QDoubleSpinBox::valueChanged, this, changed);
    }
    emit valuesChanged();
}

Result<void> ParameterForm::setValues(const QJsonObject &params)
{
    std::vector<std::pair<Row *, double>> values;
    for (auto it = params.begin(); it != params.end(); ++it) {
        Row *row = const_cast<Row *>(find(it.key()));
        if (!row) {
            QStringList keys;
            for (const ParameterSpec &s : m_specs)
                keys << s.key;
            return makeError(tr("'%1' is not a parameter here; the parameters are: %2")
                                 .arg(it.key(), keys.isEmpty() ? tr("(none)") : keys.join(QStringLiteral(", "))));
        }
        if (!it.value().isDouble())
            return makeError(tr("%1 must be a number, not %2").arg(it.key(), QString::fromUtf8(canonicalJson(it.value()))));
        const double v = it.value().toDouble();
        if (row->spec.type == ParameterSpec::Type::Integer && v != std::floor(v))
            return makeError(tr("%1 must be a whole number, not %2").arg(it.key(), numberText(v)));
        if (!(v >= row->spec.min && v <= row->spec.max))
            return makeError(tr("%1 = %2 is out of range: give %3").arg(it.key(), numberText(v), rangeText(row->spec)));
        values.emplace_back(row, v);
    }
    for (Row &row : m_rows)
        setRowValue(row, row.spec.defaultValue);
    for (auto &[row, v] : values) {
        if (auto *dbox = qobject_cast<QDoubleSpinBox *>(row->editor); dbox && decimalsOf(v) > dbox->decimals()) {
            const double current = dbox->value();
            dbox->setDecimals(decimalsOf(v));  // show the stored value exactly, not rounded to the step
            dbox->setValue(current);
        }
        setRowValue(*row, v);
    }
    return {};
}

void ParameterForm::resetToDefaults()
{
    for (Row &row : m_rows)
        setRowValue(row, row.spec.defaultValue);
}

const ParameterForm::Row *ParameterForm::find(const QString &key) const
{
    for (const Row &row : m_rows) {
        if (row.spec.key == key)
            return &row;
    }
    return nullptr;
}

double ParameterForm::rowValue(const Row &row) const
{
    if (auto *box = qobject_cast<QSpinBox *>(row.editor))
        return box->value();
    return static_cast<QDoubleSpinBox *>(row.editor)->value();
}

void ParameterForm::setRowValue(Row &row, double value)
{
    if (auto *box = qobject_cast<QSpinBox *>(row.editor))
        box->setValue(int(value));
    else
        static_cast<QDoubleSpinBox *>(row.editor)->setValue(value);
    updateIndicator(row);
}

void ParameterForm::updateIndicator(Row &row)
{
    const bool isDefaultValue = rowValue(row) == row.spec.defaultValue;
    QFont font = row.label->font();
    font.setBold(!isDefaultValue);
    row.label->setFont(font);
    row.reset->setEnabled(!isDefaultValue);
}

QJsonObject ParameterForm::changedValues() const
{
    QJsonObject out;
    for (const Row &row : m_rows) {
        const double v = rowValue(row);
        if (v == row.spec.defaultValue)
            continue;
        out.insert(row.spec.key, row.spec.type == ParameterSpec::Type::Integer ? QJsonValue(qint64(v)) : QJsonValue(v));
    }
    return out;
}

QJsonObject ParameterForm::allValues() const
{
    QJsonObject out;
    for (const Row &row : m_rows) {
        const double v = rowValue(row);
        out.insert(row.spec.key, row.spec.type == ParameterSpec::Type::Integer ? QJsonValue(qint64(v)) : QJsonValue(v));
    }
    return out;
}

double ParameterForm::value(const QString &key) const
{
    const Row *row = find(key);
    return row ? rowValue(*row) : std::numeric_limits<double>::quiet_NaN();
}

bool ParameterForm::setValue(const QString &key, double value)
{
    Row *row = const_cast<Row *>(find(key));
    if (!row)
        return false;
    setRowValue(*row, value);
    return true;
}

bool ParameterForm::isDefault(const QString &key) const
{
    const Row *row = find(key);
    return row && rowValue(*row) == row->spec.defaultValue;
}

QAbstractSpinBox *ParameterForm::editor(const QString &key) const
{
    const Row *row = find(key);
    return row ? row->editor : nullptr;
}

QToolButton *ParameterForm::resetButton(const QString &key) const
{
    const Row *row = find(key);
    return row ? row->reset : nullptr;
}

} // namespace bd
