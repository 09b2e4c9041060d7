"""Every sentence the WeChat channel says by itself, in one place for review.

Everything else the customer reads comes from the bot (domain responses, bot/actions/
messages.py); these cover what WeChat sends that the bot cannot take: follows, pictures,
voice without recognition, links.
"""

from __future__ import annotations

WELCOME = (
    "您好，欢迎关注！我是理赔客服助手，可以为您：\n"
    "1. 查询理赔进度（请准备好报案号或保单号）\n"
    "2. 理赔咨询：报案、材料、时效、赔付、拒赔等问题\n"
    "3. 在线报案\n"
    "4. 转人工客服\n"
    "直接发文字告诉我您想办什么就可以，例如“查一下我的理赔进度”。"
)
IMAGE = (
    "抱歉，这里暂时看不了图片。请用文字简单描述一下您的问题；"
    "理赔材料请在报案后按照理赔流程提交，不需要在这里发送。"
)
VOICE_NOT_RECOGNIZED = "抱歉，没能听清这条语音，请用文字再说一遍好吗？"
NOT_SUPPORTED = "抱歉，这类消息我暂时看不了。请直接发文字告诉我您想办什么，例如“查询理赔进度”。"
LOCATION = "我的位置：{label}"
CHOOSE = "回复序号选择："
TRUNCATED = "\n……（内容较长，未能全部显示。如需完整内容，请回复“转人工”或拨打客服热线 {hotline}。）"
TRANSFER_NEXT = "正在为您转接人工客服，请回复任意内容接通。"
BOT_FAILED = "抱歉，系统暂时出了点问题，请稍后再试，或拨打客服热线 {hotline}。"
