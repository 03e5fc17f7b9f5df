"""Starting guidance content drawn from the institute's policy (seed/), Arabic first with English.

The demo seeding calls `seed_guidance()`; it only fills what is empty, so running it twice changes
nothing and never overwrites an administrator's edits.
"""

from __future__ import annotations

from helpdesk.adapters.orm.guidance import (
    CertificateProfile,
    GuidancePage,
    KnowledgeArticle,
    ValidationRule,
)
from helpdesk.domain.guidance import DEFAULT_READINESS_RULES
from helpdesk.services.guidance import save_certificate_profile

SEEDED_BY = "Sanad"

_HELP_EN = """\
## Getting help

- **Inside a live session:** the *Help* button in the room. Technical problems go to the room
  manager, questions about the content go to the trainer.
- **Around the clock:** the complaints and suggestions form on this site, email, WhatsApp and X.
- **By telephone:** the contact centre, Sunday to Thursday, 09:00–17:00 (Riyadh time), and during
  scheduled course times.

Level 1, the contact centre, receives every request and solves what it can. When a case needs a
department, it reaches the manager of that department **within 24 hours at most**, and you are
told by email or telephone.
"""

_HELP_AR = """\
## طلب المساعدة

- **أثناء الجلسة المباشرة:** زر *مساعدة* داخل القاعة. المشكلات التقنية تصل إلى مدير القاعة،
  والأسئلة عن المحتوى تصل إلى المدرب.
- **على مدار الساعة:** نموذج الشكاوى والمقترحات في هذا الموقع، والبريد الإلكتروني، وواتساب، وإكس.
- **عبر الهاتف:** مركز الاتصال من الأحد إلى الخميس، من 9 صباحًا إلى 5 مساءً (بتوقيت الرياض)،
  وأثناء مواعيد الدورات التدريبية.

يستقبل المستوى الأول (مركز الاتصال) كل الطلبات ويحل ما يستطيع حله. وإذا احتاجت الحالة إلى قسم مختص
فإنها تُحال إلى مدير القسم **خلال 24 ساعة كحد أقصى**، ونُخطرك بذلك عبر البريد الإلكتروني أو الهاتف.
"""

PAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("registration", "ar"): (
        "التسجيل في الدورات التدريبية",
        """\
تُقدَّم برامج المعهد في قاعات تدريب افتراضية مباشرة. هذه الصفحة تشرح شروط التسجيل وخطواته.

## شروط التسجيل

- حساب باسمك على منصة التعلم الإلكتروني للمعهد، ببريد إلكتروني ورقم جوال يعملان.
- اسمك الكامل كما في هويتك بالعربية والإنجليزية، ورقم الهوية الوطنية أو الإقامة.
- استيفاء المتطلبات السابقة المذكورة في صفحة البرنامج إن وُجدت.
- التسجيل قبل الموعد النهائي المعلن في صفحة البرنامج، فالمقاعد محدودة.
- جهاز حاسب أو جوال بمتصفح حديث، واتصال إنترنت مستقر، وسماعة بميكروفون لحضور الجلسات المباشرة.

## خطوات التسجيل

1. ادخل إلى المنصة (أو أنشئ حسابك).
2. افتح صفحة البرنامج، واختر المواعيد المناسبة لك، ثم اضغط **تسجيل**.
3. أكمل بياناتك الشخصية: هي البيانات التي تُطبع على شهادتك.
4. تصلك رسالة تأكيد بالبريد الإلكتروني فيها **رقم التسجيل**؛ احتفظ به، فستحتاجه لفحص جاهزية الشهادة
   وعند طلب الدعم.
5. قبل الجلسة الأولى افتح رابط القاعة من المنصة وجرّب الصوت والصورة.

## حضور الجلسات

لكل جلسة مدير قاعة يتولى التنظيم والدعم الفني وحل المشكلات التقنية، ومدرب يجيب عن أسئلة المحتوى.
ادخل في الموعد لتحضر المحاضرة من بدايتها؛ فالحضور شرط للحصول على الشهادة.

"""
        + _HELP_AR,
    ),
    ("registration", "en"): (
        "Registering for a training course",
        """\
The institute's programmes are taught in live virtual classrooms. This page explains the
conditions for registering and the steps to follow.

## Conditions

- An account in your own name on the institute's e-learning platform, with an email address and a
  mobile number that work.
- Your full name as in your identity document, in Arabic and in English, and your national ID or
  residence number.
- The prerequisites listed on the programme page, if any.
- Registration before the deadline shown on the programme page: seats are limited.
- A computer or phone with a recent browser, a stable internet connection and a headset with a
  microphone for the live sessions.

## Steps

1. Sign in to the platform (or create your account).
2. Open the programme page, choose the dates that suit you and select **Register**.
3. Complete your personal data: it is what your certificate will show.
4. You receive a confirmation email with your **registration reference**. Keep it: the certificate
   readiness check and the support team ask for it.
5. Before the first session, open the room link from the platform and test your sound and camera.

## Attending the sessions

Every session has a room manager, who organises it, gives technical support and solves technical
problems, and a trainer, who answers questions about the content. Join on time so that you attend
each lecture from its start: attendance is a condition for the certificate.

"""
        + _HELP_EN,
    ),
    ("certificate", "ar"): (
        "البيانات المطلوبة لإصدار الشهادة",
        """\
تُصدر الشهادة عندما تكتمل بياناتك وتستوفي شروط الدورة. تحقق من بياناتك مبكرًا من خلال
[فحص جاهزية الشهادة](/certificate/check) وصحّح ما ينقصها في الحال.

## البيانات المطلوبة

1. **الاسم الكامل بالعربية** كما في الهوية أو الإقامة: ثلاثة أسماء على الأقل، بحروف عربية.
2. **الاسم الكامل بالإنجليزية** كما في جواز السفر: حروف إنجليزية فقط.
3. **رقم الهوية الوطنية** (10 أرقام تبدأ بـ 1) أو **رقم الإقامة** (10 أرقام تبدأ بـ 2).
4. **البريد الإلكتروني** و**رقم الجوال**: نرسل إليهما إشعار إصدار الشهادة.

## شروط الدورة

- حضور **80% على الأقل** من ساعات الدورة.
- إكمال **جميع التقييمات** المقررة في الدورة.

يُسجَّل الحضور والتقييمات من المنصة؛ إذا رأيت فيهما خطأً فاطلب تصحيحه من نموذج الشكاوى والمقترحات
واختر فئة «الشهادات».

## بعد الإصدار

تُطبع الشهادة بالبيانات المسجلة لحظة إصدارها، لذلك راجع اسمك بالعربية والإنجليزية قبل نهاية الدورة.
إن وجدت خطأً في شهادة صدرت فاطلب تصحيحها مع ذكر رقم التسجيل.

"""
        + _HELP_AR,
    ),
    ("certificate", "en"): (
        "The data a certificate needs",
        """\
Your certificate is issued when your data is complete and you meet the course conditions. Check
your data early with the [certificate readiness check](/certificate/check) and correct what is
missing on the spot.

## The data we need

1. **Full name in Arabic**, as in your identity or residence document: at least three names, in
   Arabic letters.
2. **Full name in English**, as in your passport: English letters only.
3. **National ID** (10 digits starting with 1) or **residence number** (10 digits starting with 2).
4. **Email** and **mobile number**: we tell you there when the certificate is issued.

## Course conditions

- Attendance of **at least 80%** of the course hours.
- **All assessments** of the course completed.

Attendance and assessments are recorded by the platform. If you see a mistake in them, ask for a
correction through the complaints and suggestions form, category "Certificates".

## After it is issued

A certificate carries the data on file when it is issued, so check your Arabic and English names
before the course ends. If an issued certificate has a mistake, ask for a correction and give your
registration reference.

"""
        + _HELP_EN,
    ),
}

# (slug, category, title_ar, title_en, body_ar, body_en, keywords)
ARTICLES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "register-for-a-course",
        "registration",
        "كيف أسجل في دورة تدريبية؟",
        "How do I register for a course?",
        "ادخل إلى المنصة، وافتح صفحة البرنامج، واختر المواعيد ثم اضغط **تسجيل**. تصلك رسالة تأكيد "
        "فيها رقم التسجيل. التفاصيل في [دليل التسجيل](/guide/registration).",
        "Sign in to the platform, open the programme page, choose the dates and select "
        "**Register**. A confirmation email gives you your registration reference. Details are in "
        "the [registration guide](/guide/registration).",
        "تسجيل اشتراك التحاق enrol enroll sign up join",
    ),
    (
        "registration-confirmation-missing",
        "registration",
        "لم تصلني رسالة تأكيد التسجيل",
        "I did not receive the registration confirmation",
        "تحقق من مجلد الرسائل غير المرغوب فيها، وتأكد أن بريدك مكتوب صحيحًا في حسابك على "
        "المنصة. إن لم تجد "
        "الرسالة خلال ساعة فأرسل طلبًا من النموذج واذكر اسم البرنامج.",
        "Look in your spam folder and check that your email address is written correctly in your "
        "platform account. If the message has not arrived within an hour, send a request through "
        "the form with the programme's name.",
        "بريد ايميل رساله تاكيد email confirmation spam",
    ),
    (
        "forgot-password",
        "login_and_accounts",
        "نسيت كلمة المرور",
        "I forgot my password",
        "اضغط «نسيت كلمة المرور» في صفحة الدخول إلى المنصة، واكتب بريدك الإلكتروني، ثم افتح "
        "الرابط الذي "
        "يصلك. الرابط صالح لمدة محدودة؛ اطلب رابطًا جديدًا إن انتهت صلاحيته.",
        'Select "Forgot password" on the platform\'s sign-in page, enter your email and open the '
        "link you receive. The link is valid for a limited time; ask for a new one if it expired.",
        "كلمة السر الرقم السري دخول password reset sign in login",
    ),
    (
        "account-locked",
        "login_and_accounts",
        "حسابي مقفل أو لا أستطيع الدخول",
        "My account is locked or I cannot sign in",
        "بعد عدة محاولات خاطئة يُقفل الحساب مؤقتًا. انتظر خمس عشرة دقيقة ثم أعد المحاولة، أو "
        "استعد كلمة "
        "المرور. إن استمرت المشكلة فتواصل مع مركز الاتصال واذكر بريدك المسجل.",
        "After several wrong attempts the account is locked for a while. Wait fifteen minutes and "
        "try again, or reset your password. If it goes on, contact the contact centre with your "
        "registered email.",
        "مقفل محظور دخول حساب locked blocked account sign in login",
    ),
    (
        "microphone-not-working",
        "live_session_attendance",
        "الميكروفون أو الصوت لا يعمل في الجلسة المباشرة",
        "The microphone or sound does not work in the live session",
        "اسمح للمتصفح باستخدام الميكروفون من رمز القفل بجانب العنوان، وتأكد أن السماعة "
        "المختارة هي الصحيحة، "
        "ثم أعد الدخول إلى القاعة. إن بقيت المشكلة فاضغط زر *مساعدة* داخل القاعة ليصل طلبك إلى "
        "مدير القاعة.",
        "Allow the browser to use the microphone from the padlock beside the address, check "
        "that the "
        "right headset is selected, then rejoin the room. If it goes on, press *Help* inside the "
        "room: your request goes to the room manager.",
        "صوت مايك ميكروفون سماعه audio mic sound headset speaker",
    ),
    (
        "cannot-join-live-session",
        "live_session_attendance",
        "لا أستطيع دخول القاعة الافتراضية",
        "I cannot join the virtual classroom",
        "ادخل من رابط الجلسة في المنصة وليس من رابط محفوظ قديم، واستخدم متصفحًا حديثًا (كروم "
        "أو إيدج أو "
        "فايرفوكس أو سفاري). إن كانت الجلسة قد بدأت ولم تستطع الدخول فاتصل بمركز الاتصال أو "
        "أرسل طلبًا "
        "من النموذج، وسيصل إلى فريق الدعم الفني.",
        "Join from the session link in the platform rather than an old saved link, with a recent "
        "browser (Chrome, Edge, Firefox or Safari). If the session has started and you cannot get "
        "in, call the contact centre or send the form: it reaches the technical support team.",
        "قاعه رابط بث مباشر دخول الجلسه classroom room link join live stream zoom",
    ),
    (
        "platform-first-steps",
        "platform_training",
        "أول خطوات على منصة التعلم الإلكتروني",
        "First steps on the e-learning platform",
        "من لوحة المنصة تجد دوراتك، ومواعيد الجلسات، والمواد، والتقييمات. افتح «دوراتي» لترى "
        "الجلسة "
        "القادمة، وفعّل الإشعارات لتصلك التذكيرات.",
        "The platform's dashboard shows your courses, session times, materials and assessments. "
        'Open "My courses" to see the next session, and turn on notifications to get reminders.',
        "منصه شرح استخدام لوحه platform dashboard how to use tutorial",
    ),
    (
        "onboarding-new-trainee",
        "onboarding",
        "ما الذي أحتاجه قبل أول جلسة؟",
        "What do I need before my first session?",
        "أكمل بياناتك الشخصية في المنصة، وجرّب رابط القاعة قبل الموعد، وجهّز سماعة بميكروفون "
        "واتصالًا "
        "مستقرًا. راجع [دليل التسجيل](/guide/registration) لمعرفة الشروط.",
        "Complete your personal data on the platform, try the room link before the session, and "
        "have a headset with a microphone and a stable connection ready. See the "
        "[registration guide](/guide/registration) for the conditions.",
        "تأهيل بدايه اول جلسه جديد onboarding first session new trainee prepare",
    ),
    (
        "trainer-cannot-access-platform",
        "trainer_access",
        "المدرب لا يستطيع الدخول إلى المنصة التدريبية",
        "A trainer cannot access the training platform",
        "يُفعَّل حساب المدرب بعد إسناد الدورة إليه. إن لم تظهر الدورة في حسابك أو رُفض دخولك "
        "فتواصل مع "
        "مركز الاتصال مع ذكر اسم الدورة وموعدها، ليحيل الطلب إلى القسم المختص.",
        "A trainer's account is enabled once the course is assigned. If the course does not "
        "show in "
        "your account or you are refused, contact the contact centre with the course's name and "
        "date so that it is referred to the competent department.",
        "مدرب صلاحيه دخول trainer access permission instructor",
    ),
    (
        "certificate-when-issued",
        "certificates",
        "متى تصدر شهادتي؟",
        "When is my certificate issued?",
        "تصدر الشهادة بعد اكتمال بياناتك (الاسم بالعربية والإنجليزية، ورقم الهوية أو الإقامة، "
        "والبريد، "
        "والجوال) وحضور 80% من الساعات وإكمال التقييمات. تحقق من جاهزيتك في "
        "[فحص جاهزية الشهادة](/certificate/check).",
        "It is issued once your data is complete (Arabic and English names, national ID or "
        "residence number, email, mobile), you attended 80% of the hours and completed the "
        "assessments. Check where you stand with the "
        "[certificate readiness check](/certificate/check).",
        "شهاده اصدار استخراج certificate issue download",
    ),
    (
        "certificate-name-wrong",
        "certificates",
        "اسمي في الشهادة مكتوب خطأ",
        "My name is wrong on the certificate",
        "قبل الإصدار صحّح اسمك في [فحص جاهزية الشهادة](/certificate/check). بعد الإصدار أرسل "
        "طلب تصحيح من "
        "النموذج، واختر فئة «الشهادات»، واذكر رقم التسجيل والاسم كما في الهوية.",
        "Before it is issued, correct your name in the [certificate readiness "
        "check](/certificate/check). After it is issued, send a correction request through the "
        "form, "
        'category "Certificates", with your registration reference and your name as in your ID.',
        "اسم خطا تصحيح تعديل شهاده name spelling correction certificate",
    ),
)

# Registrations for the demo: one ready, one with the mistakes the readiness check is for.
DEMO_PROFILES: tuple[dict[str, object], ...] = (
    {
        "reference": "REG-2026-0001",
        "email": "sara@example.com",
        "course_title": "مهارات العرض والإلقاء · Presentation skills",
        "full_name_ar": "سارة محمد عبدالله القحطاني",
        "full_name_en": "Sara Mohammed Abdullah Al-Qahtani",
        "national_id": "1000000008",
        "mobile": "0551234567",
        "attendance_percent": 95,
        "assessments_completed": True,
    },
    {
        "reference": "REG-2026-0002",
        "email": "omar@example.com",
        "course_title": "إدارة المشاريع · Project management",
        "full_name_ar": "عمر خالد",
        "full_name_en": "عمر Khalid Alharbi",
        "national_id": "123456",
        "mobile": "",
        "attendance_percent": 85,
        "assessments_completed": True,
    },
)


async def seed_guidance(with_demo_profiles: bool = False) -> None:
    for (slug, locale), (title, body) in PAGES.items():
        if not await GuidancePage.exists(slug=slug, locale=locale):
            await GuidancePage.create(
                slug=slug, locale=locale, version=1, title=title, body=body, edited_by=SEEDED_BY
            )
    for slug, category, title_ar, title_en, body_ar, body_en, keywords in ARTICLES:
        if not await KnowledgeArticle.exists(slug=slug):
            await KnowledgeArticle.create(
                slug=slug,
                category=category,
                title_ar=title_ar,
                title_en=title_en,
                body_ar=body_ar,
                body_en=body_en,
                keywords=keywords,
            )
    if not await ValidationRule.exists():
        for rule in DEFAULT_READINESS_RULES:
            await ValidationRule.create(
                field=rule.field,
                kind=rule.kind,
                parameter=rule.parameter,
                message_en=rule.message_en,
                message_ar=rule.message_ar,
                position=rule.position,
                updated_by=SEEDED_BY,
            )
    if with_demo_profiles:
        for demo in DEMO_PROFILES:
            if not await CertificateProfile.exists(registration_reference=demo["reference"]):
                data = {k: v for k, v in demo.items() if k not in ("reference", "email")}
                await save_certificate_profile(str(demo["reference"]), str(demo["email"]), **data)
