"""A small but complete scenario used by the tests (5 nodes, 3 endings, a loop with an exit, a red line)."""

TINY_SCENARIO = """\
title: 测试情景
summary: 一个用于测试的小情景。
role: 你是大堂经理。
customer:
  name: 李先生
  age: 42
  situation: 年费争议
  emotion: 愤怒
  goal: 退费
competencies: [倾听与共情, 首问负责, 合规话术]
pass:
  min_total: 70
  failing_endings: [complaint]
start: greet
nodes:
  greet:
    speaker: customer
    narration: 李先生快步走进大堂。
    text: 你们凭什么扣我年费？
    choices:
      - text: 这件事我来负责，您慢慢说。
        next: listen
        points: {首问负责: 2, 倾听与共情: 1}
        basis: [§2]
        feedback: 表明负责。
        rule: 银保监办发〔2022〕90号
      - text: 去找信用卡中心。
        next: angry
        points: {首问负责: -2}
        basis: [§2]
        feedback: 踢皮球。
  listen:
    speaker: customer
    text: 办卡时说免年费的！
    choices:
      - text: 我先核实当时的记录，三个工作日内给您答复。
        next: verify
        points: {合规话术: 2}
        basis: [§2]
        feedback: 核实后答复。
      - text: 我保证一定全退。
        next: resolved
        points: {合规话术: 1}
        basis: [§2]
        feedback: 不实承诺。
        red_line: 核实前承诺结果。
  angry:
    speaker: customer
    text: 又让我找别人？
    choices:
      - text: 对不起，是我没说清楚，我来负责。
        next: listen
        points: {倾听与共情: 1}
        basis: [§2]
        feedback: 挽回。
      - text: 规定就是这样。
        next: complaint
        points: {倾听与共情: -2}
        basis: [§2]
        feedback: 冷冰冰地读规定。
  verify:
    speaker: colleague
    text: 记录显示当时确实承诺过免年费。
    choices:
      - text: 向客户如实说明并申请退费。
        next: explain
        points: {合规话术: 1, 倾听与共情: 1}
        basis: [§2]
        feedback: 如实说明。
      - text: 再查一遍。
        next: verify
        points: {}
        basis: [§2]
        feedback: 可以再查，但别拖太久。
  explain:
    speaker: customer
    text: 那什么时候退？
    choices:
      - text: 今天提交，15日内给您书面答复。
        next: resolved
        points: {合规话术: 2}
        basis: [§2]
        feedback: 时限讲对了。
      - text: 15个工作日吧。
        next: escalated
        points: {合规话术: -1}
        basis: [§2]
        feedback: 旧规定。
endings:
  resolved:
    outcome: resolved
    title: 当场化解
    debrief: 你做得很好。
  escalated:
    outcome: escalated
    title: 升级处理
    debrief: 时限讲错了。
  complaint:
    outcome: complaint
    title: 客户投诉
    debrief: 客户拨打了12378。
"""
