# Run as: cmake -DSOURCE_DIR=<repo> -P CheckLayering.cmake
# Fails when a lower layer includes what only a higher one may use:
#   core, strategies: no Qt Gui/Widgets, no QCustomPlot, no models/widgets headers
#   strategies: no QThread (strategies own no threads)
#   models: no Qt Widgets, no QCustomPlot
#   core, strategies, models, widgets: no Qt Sql or libpq (SQL lives in connectors/postgres)
#   ... and no Qt WebSockets or simdjson (the MT5 bridge client lives in connectors/mt5); connectors/postgres neither;
#   connectors/mt5 no Qt Sql or libpq (its outbox is a core port that connectors/postgres implements)
#   connectors/mt5sim (the simulator, a WebSocket server) no Qt Sql, libpq or simdjson
set(rules
  "core|#include <(QtGui|QtWidgets|QWidget|QApplication|QGuiApplication|QPainter|QColor|qcustomplot|QtSql|QSql|libpq|QtWebSockets|QWebSocket|simdjson)"
  "strategies|#include <(QtGui|QtWidgets|QWidget|QApplication|QThread|qcustomplot|QtSql|QSql|libpq|QtWebSockets|QWebSocket|simdjson)"
  "models|#include <(QtWidgets|QWidget|QApplication|QAbstractButton|qcustomplot|QtSql|QSql|libpq|QtWebSockets|QWebSocket|simdjson)"
  "widgets|#include <(QtSql|QSql|libpq|QtWebSockets|QWebSocket|simdjson)"
  "connectors/postgres|#include <(QtWebSockets|QWebSocket|simdjson)"
  "connectors/mt5|#include <(QtSql|QSql|libpq)"
  "connectors/mt5sim|#include <(QtSql|QSql|libpq|simdjson)"
)
set(violations "")
foreach(rule IN LISTS rules)
  string(REPLACE "|#" ";#" parts "${rule}")
  list(GET parts 0 folder)
  list(GET parts 1 pattern)
  file(GLOB_RECURSE files "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cpp")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" hits REGEX "${pattern}")
    foreach(h IN LISTS hits)
      string(APPEND violations "${f}: ${h}\n")
    endforeach()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "Layering violations (a lower layer includes a higher one's API):\n${violations}")
endif()
message(STATUS "layering ok")
