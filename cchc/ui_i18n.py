"""Vietnamese for Gradio's own strings (upload area, chat buttons, table menus, queue, login).

Gradio's front end picks its locale from the browser among the languages it ships (Vietnamese is
not one of them), falling back to English; these translations are given for ``en`` (so every
browser not set to another shipped language sees them) and for ``vi``. Keys are those of
``gradio/templates/frontend/assets/core-*.js`` (the English dictionary), checked with Gradio 6.
"""
from __future__ import annotations

import gradio as gr

VI = {
    "upload_text.click_to_upload": "Bấm để chọn tệp", "upload_text.drop_file": "Kéo thả tệp vào đây",
    "upload_text.drop_csv": "Kéo thả tệp CSV vào đây", "upload_text.paste_clipboard": "Dán từ bộ nhớ tạm",
    "upload_text.drop_image": "Kéo thả ảnh vào đây", "upload_text.drop_gallery": "Kéo thả tệp vào đây",
    "common.or": "hoặc", "common.clear": "Xóa", "common.download": "Tải xuống", "common.download_all": "Tải tất cả",
    "common.edit": "Sửa", "common.empty": "Trống", "common.error": "Lỗi", "common.loading": "Đang tải",
    "common.remove": "Gỡ bỏ", "common.settings": "Cài đặt", "common.submit": "Gửi", "common.undo": "Hoàn tác",
    "common.share": "Chia sẻ", "common.progress": "Tiến độ", "common.language": "Ngôn ngữ",
    "common.display_theme": "Giao diện", "common.built_with": "xây dựng với",
    "common.built_with_gradio": "Xây dựng với Gradio", "common.run": "Chạy", "common.runs": "Lượt chạy",
    "chatbot.edit": "Sửa", "chatbot.retry": "Hỏi lại", "chatbot.undo": "Hoàn tác", "chatbot.submit": "Gửi",
    "chatbot.cancel": "Hủy", "chatbot.like": "Hữu ích", "chatbot.dislike": "Chưa đúng",
    "chatbot.clear": "Xóa hội thoại", "chatbot.complete": "Xong", "chatbot.copy_message": "Sao chép",
    "chatbot.copied_message": "Đã sao chép",
    "chat_interface.chatbot": "Hỏi đáp", "chat_interface.conversation": "Hội thoại",
    "chat_interface.message_placeholder": "Nhập câu hỏi…", "chat_interface.new_chat": "Hội thoại mới",
    "dataframe.sort_column": "Sắp xếp cột", "dataframe.sort_ascending": "Tăng dần",
    "dataframe.sort_descending": "Giảm dần", "dataframe.clear_sort": "Bỏ sắp xếp", "dataframe.filter": "Lọc",
    "dataframe.clear_filter": "Bỏ lọc", "dataframe.new_row": "Thêm dòng", "dataframe.new_column": "Thêm cột",
    "dataframe.delete_row": "Xóa dòng", "dataframe.delete_column": "Xóa cột",
    "dataframe.incorrect_format": "Sai định dạng, chỉ nhận tệp CSV và TSV",
    "dataframe.drop_to_upload": "Kéo thả tệp CSV hoặc TSV vào đây",
    "file.uploading": "Đang tải lên…",
    "errors.use_via_api": "Dùng qua API", "errors.use_via_api_or_mcp": "Dùng qua API",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "blocks.lost_connection": "Mất kết nối do rời trang. Đang vào lại hàng chờ…",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp xong, vui lòng thử lại.",
    "blocks.connection_can_break": "Trên điện thoại, kết nối có thể ngắt khi rời thẻ này hoặc máy ngủ.",
    "blocks.long_requests_queue": "Đang có nhiều yêu cầu chờ xử lý.",
    "dropdown.dropdown": "Danh sách", "login.username": "tên đăng nhập", "login.password": "mật khẩu",
    "login.login": "Đăng nhập", "login.incorrect_credentials": "Sai tên đăng nhập hoặc mật khẩu",
}


def i18n() -> gr.I18n:
    return gr.I18n(en=dict(VI), vi=dict(VI))
