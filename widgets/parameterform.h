#pragma once
// A typed form for a strategy's declared parameters (strategies/parameterspec.h): one row per ParameterSpec in
// declaration order — a QSpinBox for an Integer, a QDoubleSpinBox for a Number (single step = the spec's step,
// enough decimals to show the step, the range ends, the default and any value set exactly) — limited to the spec's
// [min, max], the description and range as tooltip, the name in bold while the value differs from its default, and
// a reset button that brings that one parameter back to its default.
//
// changedValues() gives only the parameters that differ from their defaults: an untouched form is {}, the params of
// a template's default version, so saving it unchanged yields that version again (identical code_hash).
// Rules between parameters (ema_crossover's fast < slow) are not the form's: resolveStrategyParams checks them.

#include "parameterspec.h"
#include "result.h"

#include <QJsonObject>
#include <QString>
#include <QWidget>

#include <vector>

class QAbstractSpinBox;
class QFormLayout;
class QLabel;
class QToolButton;

namespace bd {

class ParameterForm : public QWidget {
    Q_OBJECT
public:
    explicit ParameterForm(QWidget *parent = nullptr);

    // Rebuilds the form for `specs`, every value at its default.
    void setParameters(const std::vector<ParameterSpec> &specs);
    const std::vector<ParameterSpec> &parameters() const { return m_specs; }

    // Shows `params` (a version's params: any subset of the parameters; the rest take their defaults).
    // Refused, with the form unchanged, when a key is not one of the parameters, a value is not a number, an
    // Integer's value has a fraction, or a value is outside the spec's range; the message names the key, the value
    // and the accepted range.
    Result<void> setValues(const QJsonObject &params);
    // Every parameter back to its default.
    void resetToDefaults();

    // The parameters whose value differs from the default (Integer as JSON integer, Number as double); {} when none.
    QJsonObject changedValues() const;
    // Every parameter with its current value.
    QJsonObject allValues() const;
    // Current value of `key`; NaN when it is not a parameter.
    double value(const QString &key) const;
    // Sets `key` as the user would (within the spin box's range: out-of-range input is clamped by the spin box,
    // as typing it would be); false when `key` is not a parameter.
    bool setValue(const QString &key, double value);
    bool isDefault(const QString &key) const;

    QAbstractSpinBox *editor(const QString &key) const;
    QToolButton *resetButton(const QString &key) const;

signals:
    // A value changed (by the user or by setValues/reset).
    void valuesChanged();

private:
    struct Row {
        ParameterSpec spec;
        QLabel *label = nullptr;
        QAbstractSpinBox *editor = nullptr;
        QToolButton *reset = nullptr;
    };
    const Row *find(const QString &key) const;
    double rowValue(const Row &row) const;
    void setRowValue(Row &row, double value);
    void updateIndicator(Row &row);

    std::vector<ParameterSpec> m_specs;
    std::vector<Row> m_rows;
    QFormLayout *m_layout = nullptr;
    QLabel *m_empty = nullptr;
};

} // namespace bd
