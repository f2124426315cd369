// ParameterForm: the typed form built from a strategy's declared parameters (no database involved).

#include "codehash.h"
#include "parameterform.h"
#include "strategyregistry.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>

using namespace bd;

namespace {

StrategyInfo strategy(const QString &name)
{
    for (const StrategyInfo &info : builtinStrategies()) {
        if (info.name == name)
            return info;
    }
    qFatal("no strategy %s", qPrintable(name));
}

} // namespace

class TestParameterForm : public QObject {
    Q_OBJECT
private slots:
    void editorsFollowTheSpecs()
    {
        const StrategyInfo ema = strategy(QStringLiteral("ema_crossover"));
        ParameterForm form;
        form.setParameters(ema.parameters);
        for (const ParameterSpec &spec : ema.parameters) {
            QAbstractSpinBox *editor = form.editor(spec.key);
            QVERIFY2(editor, qPrintable(spec.key));
            QVERIFY(editor->toolTip().contains(spec.description));
            if (spec.type == ParameterSpec::Type::Integer) {
                auto *box = qobject_cast<QSpinBox *>(editor);
                QVERIFY2(box, qPrintable(spec.key));
                QCOMPARE(box->minimum(), int(spec.min));
                QCOMPARE(box->maximum(), int(spec.max));
                QCOMPARE(box->value(), int(spec.defaultValue));
            } else {
                auto *box = qobject_cast<QDoubleSpinBox *>(editor);
                QVERIFY2(box, qPrintable(spec.key));
                QCOMPARE(box->minimum(), spec.min);  // reachable exactly (a minimum of 0.01 needs 2 decimals)
                QCOMPARE(box->maximum(), spec.max);
                QCOMPARE(box->singleStep(), spec.step);
                QCOMPARE(box->value(), spec.defaultValue);
            }
            QVERIFY(form.isDefault(spec.key));
            QVERIFY(!form.resetButton(spec.key)->isEnabled());
        }
        QCOMPARE(form.changedValues(), QJsonObject());
        QCOMPARE(form.allValues(), ema.defaultParams);
        // Untouched = {} = the template's default version.
        QCOMPARE(computeCodeHash(QStringLiteral("code"), form.changedValues()),
                 computeCodeHash(QStringLiteral("code"), QJsonObject()));
    }

    void editingGivesOnlyTheChanges()
    {
        ParameterForm form;
        form.setParameters(strategy(QStringLiteral("ema_crossover")).parameters);
        QSignalSpy changed(&form, &ParameterForm::valuesChanged);
        auto *fast = qobject_cast<QSpinBox *>(form.editor(QStringLiteral("fast")));
        fast->stepBy(-4);  // as the user's arrow key
        QCOMPARE(changed.count(), 1);
        auto *rr = qobject_cast<QDoubleSpinBox *>(form.editor(QStringLiteral("rr")));
        rr->stepBy(5);     // 2.0 + 5 × 0.1
        const QJsonObject values = form.changedValues();
        QCOMPARE(values.size(), 2);
        QCOMPARE(values.value(QStringLiteral("fast")).toInteger(), 8);
        QVERIFY(values.value(QStringLiteral("fast")).isDouble());
        QCOMPARE(QString::fromUtf8(canonicalJson(values)), QStringLiteral("{\"fast\":8,\"rr\":2.5}"));
        QVERIFY(!form.isDefault(QStringLiteral("fast")));
        QVERIFY(form.resetButton(QStringLiteral("fast"))->isEnabled());

        form.resetButton(QStringLiteral("fast"))->click();
        QCOMPARE(form.changedValues(), (QJsonObject{{QStringLiteral("rr"), 2.5}}));
        form.resetToDefaults();
        QCOMPARE(form.changedValues(), QJsonObject());
        // The spin box keeps the spec's range: typing past the maximum does not give an out-of-range value.
        QVERIFY(form.setValue(QStringLiteral("slow"), 1e9));
        QCOMPARE(form.value(QStringLiteral("slow")), 10000.0);
        QVERIFY(!form.setValue(QStringLiteral("nope"), 1));
        QVERIFY(std::isnan(form.value(QStringLiteral("nope"))));
    }

    void setValuesShowsAVersionOrRefusesIt()
    {
        ParameterForm form;
        form.setParameters(strategy(QStringLiteral("ema_crossover")).parameters);
        const QJsonObject params{{QStringLiteral("slow"), 40}, {QStringLiteral("sl_atr_mult"), 1.234}};
        QVERIFY(form.setValues(params));
        // More decimals than the step shows: the value is kept exactly, not rounded to 1.2.
        QCOMPARE(form.value(QStringLiteral("sl_atr_mult")), 1.234);
        QCOMPARE(form.changedValues(), params);

        const QJsonObject shown = form.changedValues();
        auto bad = form.setValues(QJsonObject{{QStringLiteral("fast"), 0}});
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(QStringLiteral("fast = 0 is out of range: give 1 to 10000")),
                 qPrintable(bad.error().message));
        QCOMPARE(form.changedValues(), shown);  // unchanged
        bad = form.setValues(QJsonObject{{QStringLiteral("fast"), 2.5}});
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(QStringLiteral("whole number")));
        bad = form.setValues(QJsonObject{{QStringLiteral("box_bars"), 10}});
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(QStringLiteral("'box_bars' is not a parameter")), qPrintable(bad.error().message));
        QVERIFY(bad.error().message.contains(QStringLiteral("fast, slow")));
        bad = form.setValues(QJsonObject{{QStringLiteral("rr"), QStringLiteral("2")}});
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(QStringLiteral("rr must be a number, not \"2\"")), qPrintable(bad.error().message));
        QCOMPARE(form.changedValues(), shown);

        // A set of values replaces the earlier one: parameters it does not give go back to their defaults.
        QVERIFY(form.setValues(QJsonObject{{QStringLiteral("fast"), 5}}));
        QCOMPARE(form.changedValues(), (QJsonObject{{QStringLiteral("fast"), 5}}));
    }

    void anotherStrategyRebuildsTheForm()
    {
        ParameterForm form;
        form.setParameters(strategy(QStringLiteral("ema_crossover")).parameters);
        const StrategyInfo box = strategy(QStringLiteral("box_breakout"));
        form.setParameters(box.parameters);
        QVERIFY(!form.editor(QStringLiteral("fast")));
        QVERIFY(form.editor(QStringLiteral("box_bars")));
        QCOMPARE(form.allValues(), box.defaultParams);
        QCOMPARE(form.findChildren<QAbstractSpinBox *>().size(), qsizetype(box.parameters.size()));
        form.setParameters({});
        QCOMPARE(form.changedValues(), QJsonObject());
        QCOMPARE(form.findChildren<QAbstractSpinBox *>().size(), 0);
    }
};

QTEST_MAIN(TestParameterForm)
#include "tst_parameterform.moc"
