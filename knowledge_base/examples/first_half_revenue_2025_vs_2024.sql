-- Question: How did revenue in the first half of 2025 compare with the first half of 2024?
-- Description: January-June revenue of both years side by side, with the growth in percent.
WITH halves AS (
    SELECT SUM(CASE WHEN o.order_date >= '2024-01-01' AND o.order_date < '2024-07-01'
                    THEN oi.quantity * oi.unit_price * (1 - oi.discount) ELSE 0 END) AS h1_2024,
           SUM(CASE WHEN o.order_date >= '2025-01-01' AND o.order_date < '2025-07-01'
                    THEN oi.quantity * oi.unit_price * (1 - oi.discount) ELSE 0 END) AS h1_2025
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.order_id
    WHERE o.status NOT IN ('cancelled', 'returned')
)
SELECT ROUND(h1_2024, 2) AS revenue_h1_2024,
       ROUND(h1_2025, 2) AS revenue_h1_2025,
       ROUND(100.0 * (h1_2025 - h1_2024) / h1_2024, 2) AS growth_pct
FROM halves;
