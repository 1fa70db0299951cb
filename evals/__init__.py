"""Agent evaluations: the case format (`schema`), the runner (`run`), metrics, the faithfulness
judge and reports; tuned cases in `cases/`, blind held-out sets in `holdout*/`.

Sits beside `ui` above the agent: may import agent, tools, services, data and domain.
"""
